// Public surface of @keelson/e2e (see README.md).
export {};
