import Foundation
import ObjStreamCluster
import ObjStreamConfig
import ObjStreamTestSupport
import Testing

/// `deploy/`: every YAML manifest parses and carries the fields operators rely on; the systemd unit is hardened.
@Suite struct DeployManifestTests {
    private static let yamlFiles = [
        "deploy/kubernetes/namespace.yaml", "deploy/kubernetes/configmap.yaml", "deploy/kubernetes/daemonset.yaml",
        "deploy/kubernetes/service.yaml", "deploy/kubernetes/podmonitor.yaml", "deploy/kubernetes/kustomization.yaml",
        "deploy/kubernetes/cluster.yaml", "deploy/kubernetes/secret.yaml", "deploy/kubernetes/tls-secret.yaml",
        "deploy/prometheus/prometheus.yml", "deploy/prometheus/rules/objstream.rules.yml",
        "deploy/prometheus/tests/objstream.rules.test.yml",
        "deploy/grafana/provisioning/datasources/objstream.yml", "deploy/grafana/provisioning/dashboards/objstream.yml",
    ]

    private func manifest(_ path: String) throws -> [String: Any] {
        try #require(try YAMLDocuments.load(path).first as? [String: Any])
    }

    @Test func everyShippedYAMLFileIsListedAndParses() throws {
        let deploy = TestPaths.packageRoot.appendingPathComponent("deploy").resolvingSymlinksInPath()
        let found = (FileManager.default.enumerator(atPath: deploy.path)?.allObjects as? [String] ?? [])
            .filter { $0.hasSuffix(".yml") || $0.hasSuffix(".yaml") }.map { "deploy/" + $0 }
        #expect(Set(found) == Set(Self.yamlFiles))
        for file in Self.yamlFiles {
            #expect(try YAMLDocuments.load(file).count == 1, "\(file)")
        }
    }

    @Test func daemonSetProbesHealthzAndReadyzOnTheAdminPortAsANonRootReadOnlyContainer() throws {
        let ds = try manifest("deploy/kubernetes/daemonset.yaml")
        #expect(ds["kind"] as? String == "DaemonSet")
        let pod = try #require(YAMLDocuments.value(ds, ["spec", "template"]) as? [String: Any])
        let container = try #require(YAMLDocuments.value(pod, ["spec", "containers", 0]) as? [String: Any])
        // Liveness and readiness on the admin listener, which a full stream listener cannot starve.
        #expect(YAMLDocuments.value(container, ["livenessProbe", "httpGet", "path"]) as? String == "/healthz")
        #expect(YAMLDocuments.value(container, ["readinessProbe", "httpGet", "path"]) as? String == "/readyz")
        for probe in ["livenessProbe", "readinessProbe"] {
            #expect(YAMLDocuments.value(container, [probe, "httpGet", "port"]) as? String == "admin", "\(probe)")
        }
        #expect(YAMLDocuments.value(container, ["ports", 0, "name"]) as? String == "https")
        #expect(YAMLDocuments.value(container, ["ports", 0, "containerPort"]) as? Int == 9080)
        #expect(YAMLDocuments.value(container, ["ports", 1, "name"]) as? String == "admin")
        #expect(YAMLDocuments.value(container, ["ports", 1, "containerPort"]) as? Int == 9081)
        #expect(YAMLDocuments.value(container, ["securityContext", "readOnlyRootFilesystem"]) as? Bool == true)
        #expect(YAMLDocuments.value(container, ["securityContext", "runAsNonRoot"]) as? Bool == true)
        #expect(YAMLDocuments.value(container, ["securityContext", "allowPrivilegeEscalation"]) as? Bool == false)
        #expect(YAMLDocuments.value(container, ["securityContext", "capabilities", "drop"]) as? [String] == ["ALL"])
        #expect(YAMLDocuments.value(pod, ["spec", "securityContext", "runAsNonRoot"]) as? Bool == true)
        #expect(
            container["args"] as? [String] == [
                "serve", "--config", "/etc/objstream/objstream.json", "--cluster", "/etc/objstream/cluster/cluster.json",
                "--node", "$(NODE_NAME)", "--signing", "strict", "--replay-state", "/var/lib/objstream/replay-state",
                "--tls-cert", "/etc/objstream/tls/$(NODE_NAME).pem", "--tls-key", "/etc/objstream/tls/$(NODE_NAME).key",
                "--tls-client-ca", "/etc/objstream/tls/ca.pem",
            ])
        let annotations = YAMLDocuments.value(pod, ["metadata", "annotations"]) as? [String: String] ?? [:]
        #expect(annotations == ["prometheus.io/scrape": "true", "prometheus.io/port": "9081", "prometheus.io/path": "/metrics"])
        // The store is a writable volume mounted where the ConfigMap's store_dir points.
        let mounts = container["volumeMounts"] as? [[String: Any]] ?? []
        let storeMount = try #require(mounts.first { $0["name"] as? String == "store" })
        #expect(storeMount["readOnly"] as? Bool != true)
        let volumes = YAMLDocuments.value(pod, ["spec", "volumes"]) as? [[String: Any]] ?? []
        let store = try #require(volumes.first { $0["name"] as? String == "store" })
        #expect(store["emptyDir"] != nil || store["hostPath"] != nil)
        let configuration = try configMapConfiguration()
        #expect(configuration.storeDirectory.hasPrefix((storeMount["mountPath"] as? String ?? "?") + "/"))
    }

    /// The configuration the ConfigMap carries, parsed by the real parser.
    private func configMapConfiguration() throws -> ObjStreamConfiguration {
        let cm = try manifest("deploy/kubernetes/configmap.yaml")
        let text = try #require(YAMLDocuments.value(cm, ["data", "objstream.json"]) as? String)
        return try ObjStreamConfiguration.parse(Array(text.utf8))
    }

    @Test func configMapCarriesAValidConfigListeningOnAllInterfacesWithAnAdminListener() throws {
        let configuration = try configMapConfiguration()
        #expect(configuration.listen == ListenAddress(host: "0.0.0.0", port: 9080))
        #expect(configuration.adminListen == ListenAddress(host: "0.0.0.0", port: 9081))
        var expected = ObjStreamConfiguration()
        expected.listen = configuration.listen
        expected.adminListen = configuration.adminListen
        expected.storeDirectory = configuration.storeDirectory
        #expect(configuration == expected, "only listen, admin_listen and store_dir differ from the shipped defaults")
    }

    @Test func configMapConfigPassesConfigCheckOnThisHost() throws {
        let cm = try manifest("deploy/kubernetes/configmap.yaml")
        let text = try #require(YAMLDocuments.value(cm, ["data", "objstream.json"]) as? String)
        let path = try TestPaths.temporaryDirectory("objstream-configmap").appendingPathComponent("objstream.json").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try ChildProcess.run(TestPaths.objstreamBinary.path, ["config", "check", path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("\(path): ok (listen 0.0.0.0:9080, admin 0.0.0.0:9081, "), "\(result.stdout)")
    }

    @Test func theGatewayChecksCallersAgainstTheMountedClusterMapAndTheNodeKeysAreASecretOnlyTheUserReads() throws {
        let ds = try manifest("deploy/kubernetes/daemonset.yaml")
        let pod = try #require(YAMLDocuments.value(ds, ["spec", "template", "spec"]) as? [String: Any])
        let container = try #require(YAMLDocuments.value(pod, ["containers", 0]) as? [String: Any])
        #expect(YAMLDocuments.value(container, ["env", 0, "name"]) as? String == "NODE_NAME")
        #expect(YAMLDocuments.value(container, ["env", 0, "valueFrom", "fieldRef", "fieldPath"]) as? String == "spec.nodeName")
        let mounts = container["volumeMounts"] as? [[String: Any]] ?? []
        let volumes = pod["volumes"] as? [[String: Any]] ?? []
        func mount(_ name: String) -> [String: Any]? { mounts.first { $0["name"] as? String == name } }
        func volume(_ name: String) -> [String: Any]? { volumes.first { $0["name"] as? String == name } }
        #expect(mount("cluster")?["mountPath"] as? String == "/etc/objstream/cluster")
        #expect(mount("keys")?["mountPath"] as? String == "/etc/objstream/keys")
        #expect(mount("keys")?["readOnly"] as? Bool == true)
        #expect(YAMLDocuments.value(volume("cluster") ?? [:], ["configMap", "name"]) as? String == "objstream-cluster")
        #expect(YAMLDocuments.value(volume("keys") ?? [:], ["secret", "secretName"]) as? String == "objstream-node-keys")
        #expect(YAMLDocuments.value(volume("keys") ?? [:], ["secret", "defaultMode"]) as? Int == 0o400)
        let secret = try manifest("deploy/kubernetes/secret.yaml")
        #expect(secret["kind"] as? String == "Secret")
        #expect(YAMLDocuments.value(secret, ["metadata", "name"]) as? String == "objstream-node-keys")
        // The Secret holds one key per node of the map, named after it.
        let cluster = try manifest("deploy/kubernetes/cluster.yaml")
        #expect(YAMLDocuments.value(cluster, ["metadata", "name"]) as? String == "objstream-cluster")
        let text = try #require(YAMLDocuments.value(cluster, ["data", "cluster.json"]) as? String)
        let map = try ClusterMap.parse(Array(text.utf8))
        let keys = (secret["stringData"] as? [String: Any] ?? [:]).keys
        #expect(Set(keys) == Set(map.nodes.map { "\($0.id).key" }))
        #expect(map.nodes.allSatisfy { $0.publicKey != nil })
    }

    @Test func theGatewayServesMutualTLSWithEachNodesCertificateFromASecretOnlyTheUserReads() throws {
        let ds = try manifest("deploy/kubernetes/daemonset.yaml")
        let pod = try #require(YAMLDocuments.value(ds, ["spec", "template", "spec"]) as? [String: Any])
        let container = try #require(YAMLDocuments.value(pod, ["containers", 0]) as? [String: Any])
        let args = container["args"] as? [String] ?? []
        func value(of option: String) -> String? {
            args.firstIndex(of: option).flatMap { args.indices.contains($0 + 1) ? args[$0 + 1] : nil }
        }
        #expect(value(of: "--tls-cert") == "/etc/objstream/tls/$(NODE_NAME).pem")
        #expect(value(of: "--tls-key") == "/etc/objstream/tls/$(NODE_NAME).key")
        #expect(value(of: "--tls-client-ca") == "/etc/objstream/tls/ca.pem")
        let mounts = container["volumeMounts"] as? [[String: Any]] ?? []
        let tlsMount = mounts.first { $0["name"] as? String == "tls" }
        #expect(tlsMount?["mountPath"] as? String == "/etc/objstream/tls")
        #expect(tlsMount?["readOnly"] as? Bool == true)
        let volumes = pod["volumes"] as? [[String: Any]] ?? []
        let tlsVolume = volumes.first { $0["name"] as? String == "tls" } ?? [:]
        #expect(YAMLDocuments.value(tlsVolume, ["secret", "secretName"]) as? String == "objstream-tls")
        #expect(YAMLDocuments.value(tlsVolume, ["secret", "defaultMode"]) as? Int == 0o400)
        // The Secret holds the CA and a certificate and key per node of the map, whose urls are https://.
        let secret = try manifest("deploy/kubernetes/tls-secret.yaml")
        #expect(secret["kind"] as? String == "Secret")
        #expect(YAMLDocuments.value(secret, ["metadata", "name"]) as? String == "objstream-tls")
        let cluster = try manifest("deploy/kubernetes/cluster.yaml")
        let text = try #require(YAMLDocuments.value(cluster, ["data", "cluster.json"]) as? String)
        let map = try ClusterMap.parse(Array(text.utf8))
        let files = Set((secret["stringData"] as? [String: Any] ?? [:]).keys)
        #expect(files == Set(["ca.pem"] + map.nodes.flatMap { ["\($0.id).pem", "\($0.id).key"] }))
        #expect(map.nodes.allSatisfy { $0.url.hasPrefix("https://") }, "\(map.nodes.map(\.url))")
        let kustomization = try manifest("deploy/kubernetes/kustomization.yaml")
        #expect((kustomization["resources"] as? [String] ?? []).contains("tls-secret.yaml"))
    }

    @Test func theClusterMapOfTheManifestsPassesConfigCheck() throws {
        let cluster = try manifest("deploy/kubernetes/cluster.yaml")
        let text = try #require(YAMLDocuments.value(cluster, ["data", "cluster.json"]) as? String)
        let path = try TestPaths.temporaryDirectory("objstream-cluster").appendingPathComponent("cluster.json").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try ChildProcess.run(TestPaths.objstreamBinary.path, ["config", "check", "--cluster", path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "\(path): ok (version 1, 2 nodes, 2 with public keys)\n")
    }

    @Test func headlessServiceSelectsTheDaemonSetPods() throws {
        let service = try manifest("deploy/kubernetes/service.yaml")
        let ds = try manifest("deploy/kubernetes/daemonset.yaml")
        #expect(YAMLDocuments.value(service, ["spec", "clusterIP"]) as? String == "None")
        let selector = YAMLDocuments.value(service, ["spec", "selector"]) as? [String: String]
        #expect(selector != nil && selector == YAMLDocuments.value(ds, ["spec", "template", "metadata", "labels"]) as? [String: String])
        #expect(YAMLDocuments.value(service, ["spec", "ports", 0, "port"]) as? Int == 9080)
    }

    @Test func podMonitorScrapesTheAdminPortMetrics() throws {
        let monitor = try manifest("deploy/kubernetes/podmonitor.yaml")
        let ds = try manifest("deploy/kubernetes/daemonset.yaml")
        #expect(monitor["apiVersion"] as? String == "monitoring.coreos.com/v1")
        #expect(monitor["kind"] as? String == "PodMonitor")
        #expect(YAMLDocuments.value(monitor, ["spec", "podMetricsEndpoints", 0, "port"]) as? String == "admin")
        #expect(YAMLDocuments.value(monitor, ["spec", "podMetricsEndpoints", 0, "path"]) as? String == "/metrics")
        #expect(
            YAMLDocuments.value(monitor, ["spec", "selector", "matchLabels"]) as? [String: String]
                == YAMLDocuments.value(ds, ["spec", "selector", "matchLabels"]) as? [String: String])
    }

    @Test func kustomizationListsEveryKubernetesManifest() throws {
        let kustomization = try manifest("deploy/kubernetes/kustomization.yaml")
        let listed = Set(kustomization["resources"] as? [String] ?? [])
        let present = Set(try FileManager.default.contentsOfDirectory(
            atPath: TestPaths.packageRoot.appendingPathComponent("deploy/kubernetes").path)
            .filter { $0.hasSuffix(".yaml") && $0 != "kustomization.yaml" })
        #expect(listed == present)
    }

    @Test func grafanaProvisioningPointsAtPrometheusAndTheDashboardFolder() throws {
        let datasources = try manifest("deploy/grafana/provisioning/datasources/objstream.yml")
        #expect(datasources["apiVersion"] as? Int == 1)
        #expect(YAMLDocuments.value(datasources, ["datasources", 0, "type"]) as? String == "prometheus")
        #expect(YAMLDocuments.value(datasources, ["datasources", 0, "url"]) as? String == "http://127.0.0.1:9090")
        let dashboards = try manifest("deploy/grafana/provisioning/dashboards/objstream.yml")
        #expect(dashboards["apiVersion"] as? Int == 1)
        #expect(YAMLDocuments.value(dashboards, ["providers", 0, "type"]) as? String == "file")
        #expect(!(YAMLDocuments.value(dashboards, ["providers", 0, "options", "path"]) as? String ?? "").isEmpty)
    }

    @Test func systemdUnitCarriesTheHardeningDirectives() throws {
        let unit = try String(
            contentsOf: TestPaths.packageRoot.appendingPathComponent("deploy/systemd/objstream.service"), encoding: .utf8)
        let lines = Set(unit.split(separator: "\n").map(String.init))
        for directive in [
            "DynamicUser=yes", "StateDirectory=objstream", "ProtectSystem=strict", "ProtectHome=yes", "NoNewPrivileges=yes",
            "PrivateTmp=yes", "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX", "CapabilityBoundingSet=",
            "SystemCallFilter=@system-service", "Restart=on-failure", "WorkingDirectory=/var/lib/objstream",
            "ExecStart=/usr/local/bin/objstream serve --config /etc/objstream/objstream.json --admin-listen 127.0.0.1:9081",
            "LimitNOFILE=65536", "TasksMax=4096",
        ] {
            #expect(lines.contains(directive), "missing \(directive)")
        }
    }

    @Test func systemdAnalyzeVerifiesTheUnit() throws {
        let systemdAnalyze = try RequiredTool.path("systemd-analyze", package: "systemd")
        // verify insists that ExecStart exists: point it at a binary that does.
        let unit = try String(
            contentsOf: TestPaths.packageRoot.appendingPathComponent("deploy/systemd/objstream.service"), encoding: .utf8)
            .replacingOccurrences(of: "/usr/local/bin/objstream", with: "/bin/true")
        let folder = try TestPaths.temporaryDirectory("objstream-unit")
        let path = folder.appendingPathComponent("objstream.service").path
        try unit.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try ChildProcess.run(systemdAnalyze, ["verify", path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty && result.stdout.isEmpty, "\(result.stdout)\(result.stderr)")
    }
}
