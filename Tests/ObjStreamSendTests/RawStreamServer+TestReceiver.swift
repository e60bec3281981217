extension RawStreamServer: TestReceiver {
    var sessions: [ReceivedSession] {
        requests.map {
            ReceivedSession(
                sessionID: Int64($0.header("Ais-Session-Id") ?? "") ?? -1, objects: $0.objects,
                dataBytes: $0.dataBytes, complete: $0.complete, error: $0.error)
        }
    }
}
