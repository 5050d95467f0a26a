/** Server version, reported by /api/health and /api/admin/version; bump with releases. */
export const VERSION = "0.1.0";
