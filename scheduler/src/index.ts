// Public surface of @keelson/scheduler (see README.md).
export {};
