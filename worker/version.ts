/** Server version, reported by /api/health and /api/admin/version; bump with releases. */
export const VERSION = "0.1.0";
/** Version of the REST contract (Prefect-shaped, see DESIGN.md); clients may check it. */
export const API_VERSION = "0.1";
