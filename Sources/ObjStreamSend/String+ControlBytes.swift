extension String {
    /// The first control byte of the text (below 0x20, or DEL), if any: what must never go
    /// into an HTTP request line or header, where CR or LF would end it early and let the
    /// rest pass for headers of its own.
    var firstControlByte: UInt8? { utf8.first { $0 < 0x20 || $0 == 0x7f } }

    /// Why the text cannot go into the request line or a header, naming the field, or nil.
    /// - Parameters:
    ///   - field: What the text is, like `sender id`.
    ///   - header: Where it goes, like `the Ais-Caller-Id header`.
    /// - Returns: The problem, with the text escaped, or nil when it has no control byte.
    func controlByteProblem(field: String, goesInto header: String) -> String? {
        guard let byte = firstControlByte else { return nil }
        let hex = String(byte, radix: 16, uppercase: true)
        return "\(field) \(debugDescription) contains the control byte 0x\(hex.count == 1 ? "0" + hex : hex), "
            + "which cannot go into \(header)"
    }
}
