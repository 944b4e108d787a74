import ArgumentParser
import SievePipeline

struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Check a config file: exit 0, or print FILE:LINE: message per problem and exit 1.",
        discussion: """
            Examples:
              auditsieve check-config /etc/auditsieve/auditsieve.yml
            """
    )

    @Argument(help: "The YAML config file.")
    var file: String

    func run() throws {
        do {
            _ = try AuditSieveConfig.load(file: file)
            print("\(file): OK")
        } catch let errors as ConfigErrors {
            for error in errors.errors { print(error.description) }
            throw ExitCode(1)
        }
    }
}
