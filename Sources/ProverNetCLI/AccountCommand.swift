import ArgumentParser
import Foundation
import Keystore
import Node
import Primitives
import Secp256k1

/// `provernet account new|import|list`: keys in geth-compatible keystore v3 files.
struct AccountCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "account",
        abstract: "Manage keys in a geth-compatible keystore (v3: scrypt or PBKDF2, AES-128-CTR, Keccak MAC).",
        subcommands: [New.self, Import.self, List.self])

    struct KeystoreOptions: ParsableArguments {
        @Option(help: "Keystore directory (default: DATADIR/keystore).") var keystore: String?
        @Option(help: "Data directory.") var datadir: String = DataDir.defaultPath
        @Option(help: "File whose first line is the password (default: $PROVERNET_PASSWORD, else a prompt).")
        var passwordFile: String?
        @Flag(help: "Use geth's light scrypt parameters (faster, weaker).") var lightKdf = false

        var directory: String { keystore ?? (datadir as NSString).appendingPathComponent("keystore") }

        func password(confirm: Bool) throws -> String {
            if let f = passwordFile {
                guard let text = try? String(contentsOfFile: f, encoding: .utf8) else { throw CLIError("cannot read \(f)") }
                return String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
            }
            if let p = ProcessInfo.processInfo.environment["PROVERNET_PASSWORD"] { return p }
            guard let p1 = readPassword("Password: ") else { throw CLIError("no password given") }
            if confirm {
                guard readPassword("Repeat password: ") == p1 else { throw CLIError("passwords do not match") }
            }
            return p1
        }

        func store(_ key: PrivateKey) throws -> String {
            let doc = try Keystore.encrypt(key, password: try password(confirm: true), kdf: lightKdf ? .light : .standard)
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            let path = (directory as NSString).appendingPathComponent(Keystore.fileName(for: key.address))
            guard FileManager.default.createFile(atPath: path, contents: doc, attributes: [.posixPermissions: 0o600]) else {
                throw CLIError("cannot write \(path)")
            }
            return path
        }
    }

    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a new key and store it encrypted.")
        @OptionGroup var options: KeystoreOptions
        func run() throws {
            let key = PrivateKey.random()
            let path = try options.store(key)
            print("address: \(key.address)\nkeyfile: \(path)")
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Import a private key (hex, in a file) into the keystore.")
        @OptionGroup var options: KeystoreOptions
        @Argument(help: "File holding the private key as hex.") var keyfile: String
        func run() throws {
            guard let text = try? String(contentsOfFile: keyfile, encoding: .utf8) else { throw CLIError("cannot read \(keyfile)") }
            let key = try PrivateKey(hex: text.trimmingCharacters(in: .whitespaces))
            let path = try options.store(key)
            print("address: \(key.address)\nkeyfile: \(path)")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the keystore's accounts.")
        @OptionGroup var options: KeystoreOptions
        func run() throws {
            let dir = options.directory
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
            for (i, f) in files.enumerated() {
                let path = (dir as NSString).appendingPathComponent(f)
                guard let data = FileManager.default.contents(atPath: path), let a = Keystore.address(of: data) else { continue }
                print("Account #\(i): {\(Hex.encode(a.bytes, prefix: false))} keystore://\(path)")
            }
        }
    }
}

/// Reads a password from the terminal without echo.
func readPassword(_ prompt: String) -> String? {
    guard let p = getpass(prompt) else { return nil }
    return String(cString: p)
}

/// Loads the key for `address` (or the only one) from a keystore directory.
func loadKey(keystore dir: String, address: Address?, password: String) throws -> PrivateKey {
    let files = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
    for f in files.sorted() {
        guard let data = FileManager.default.contents(atPath: (dir as NSString).appendingPathComponent(f)),
              let a = Keystore.address(of: data) else { continue }
        if address == nil || address == a { return try Keystore.decrypt(data, password: password) }
    }
    throw CLIError("no key\(address.map { " for \($0)" } ?? "") in \(dir)")
}
