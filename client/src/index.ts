// Public surface of @keelson/client (see README.md).
export {};
