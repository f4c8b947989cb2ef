// Public surface of @keelson/proxy (see README.md).
export {};
