"""`python -m control_room ...` is the `control-room` command."""

from control_room.cli import main

raise SystemExit(main())
