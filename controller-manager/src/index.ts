// Public surface of @keelson/controller-manager (see README.md).
export {};
