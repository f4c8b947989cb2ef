// Public surface of @keelson/bench (see README.md).
export {};
