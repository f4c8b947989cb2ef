// Public surface of @keelson/cluster (see README.md).
export {};
