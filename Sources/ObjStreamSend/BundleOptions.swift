import ObjStreamWire

/// Called once per copy of an object a ``StreamBundle`` sent: the destination node's id, the
/// object's header, the caller's context, and the copy's error (nil: sent, or delivered when confirmed).
public typealias CopyCallback = @Sendable (String, ObjectHeader, (any Sendable)?, SendError?) -> Void

/// What a ``StreamBundle`` is made of: who sends, to which endpoint, how many streams per
/// destination, and the callbacks.
public struct BundleOptions: Sendable {
    /// The sending node's id: the one member of the cluster map the bundle does not stream to.
    public var localNodeID: String
    /// The endpoint name (`trname`): streams go to `<node url>/v1/objstream/<trname>`.
    public var endpointName: String
    /// How many streams go to each destination; objects take them in turn (round-robin).
    public var multiplier = 1
    /// The destinations when not every peer: node ids; nil: every member but the local node.
    public var nodes: Set<String>?
    /// The options of every stream; their sent and termination callbacks are the bundle's.
    public var stream = StreamOptions()
    /// The callback of objects that have none of their own: once per object, after its last copy.
    public var sentCallback: SentCallback?
    /// Called once per copy when it completes, before the object's callback: the destination
    /// node's id, the object's header, the caller's context, and the copy's error.
    public var copyCallback: CopyCallback?
    /// Called once per destination whose streams broke (the first stream of it that ended with
    /// an error): the node id and that error; again only after ``StreamBundle/reopen(_:)``.
    public var terminationCallback: TerminationCallback?

    /// Creates options.
    /// - Parameters:
    ///   - localNodeID: The sending node's id.
    ///   - endpointName: The endpoint name.
    public init(localNodeID: String, endpointName: String) {
        self.localNodeID = localNodeID
        self.endpointName = endpointName
    }
}
