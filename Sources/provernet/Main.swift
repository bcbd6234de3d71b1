import ProverNetCLI

@main
struct Main {
    static func main() async {
        await ProverNetCommand.main()
    }
}
