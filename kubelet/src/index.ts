// Public surface of @keelson/kubelet (see README.md).
export {};
