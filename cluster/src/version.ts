// The version every Keelson binary reports.
export const version = '0.1.0';
