import ProverNetCLI

@main
struct Main {
    static func main() {
        ProverNetCommand.main()
    }
}
