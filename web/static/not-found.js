// The page shown for a malformed address.
import { applyI18n } from "./i18n.js";

applyI18n();
