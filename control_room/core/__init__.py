"""The pure core: the schedule model and its YAML format, commands, the timeline engine,
the scene rules and the state document.

Nothing here imports outside ``control_room.core``, reads the clock, sleeps, or does I/O
(``tests/core/test_core_is_pure.py`` checks it): a schedule, a journal and an instant in,
data out. The edges (the journal on disk, the clock, the hub, the app, the switcher) adapt
it to the world.
"""
