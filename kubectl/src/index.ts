// Public surface of @keelson/kubectl (see README.md).
export {};
