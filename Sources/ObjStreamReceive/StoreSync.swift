/// When a file store makes what it wrote durable (`store_sync`, `serve --store-sync`).
public enum StoreSync: String, Sendable, CaseIterable {
    /// Never: the kernel writes back when it likes; a crash may lose recent objects.
    case none
    /// Each object: its file is fsync'ed before the rename and its folder after, before the
    /// object counts as received.
    case object
    /// Each request: one `syncfs` of the store's filesystem when the request body ended clean,
    /// before the gateway answers `200`.
    case request
}
