/// The gateway's answer to a stream request that it read to the end: one line of JSON
/// that says what it received, so that a sender in confirmed mode completes each object
/// of the request as delivered or refused.
///
/// `{"objects":N,"bytes":B,"refused":[{"index":I,"object":"...","bucket":"...","code":"...","error":"..."}]}`:
/// `objects` and `bytes` count the data objects the receiver took (refused ones not
/// included), `index` is a refused object's place among the request's data objects
/// (from 0). A receiver that answers an empty `200` (the reference's) took everything.
/// An error response may carry `objects`: that many data objects, from the request's
/// start, were taken before the failure.
public struct DeliveryReceipt: Codable, Sendable, Equatable {
    /// One refused object.
    public struct Refused: Codable, Sendable, Equatable {
        /// The object's place among the request's data objects, from 0.
        public var index: Int
        /// The object's name.
        public var object: String
        /// The object's bucket, as ``Bucket/description`` prints it.
        public var bucket: String
        /// Why it was refused (`checksum_mismatch`, `bad_name`, `io_error`, ...).
        public var code: String
        /// What went wrong, in words.
        public var error: String

        /// Creates a refusal entry.
        public init(index: Int, object: String, bucket: String, code: String, error: String) {
            self.index = index
            self.object = object
            self.bucket = bucket
            self.code = code
            self.error = error
        }
    }

    /// Data objects taken.
    public var objects: Int
    /// Data bytes of the objects taken.
    public var bytes: Int64
    /// The refused objects, in stream order.
    public var refused: [Refused]
    /// Refused objects beyond those listed (the list is bounded); absent when zero.
    public var refusedUnlisted: Int?

    private enum CodingKeys: String, CodingKey {
        case objects, bytes, refused
        case refusedUnlisted = "refused_unlisted"
    }

    /// Creates a receipt.
    public init(objects: Int, bytes: Int64, refused: [Refused] = [], refusedUnlisted: Int? = nil) {
        self.objects = objects
        self.bytes = bytes
        self.refused = refused
        self.refusedUnlisted = refusedUnlisted
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        objects = try c.decode(Int.self, forKey: .objects)
        bytes = try c.decodeIfPresent(Int64.self, forKey: .bytes) ?? 0
        refused = try c.decodeIfPresent([Refused].self, forKey: .refused) ?? []
        refusedUnlisted = try c.decodeIfPresent(Int.self, forKey: .refusedUnlisted)
    }

    /// Data objects the receipt accounts for: taken and refused.
    public var accountedObjects: Int { objects + refused.count + (refusedUnlisted ?? 0) }
}
