import ArgumentParser
import SieveConfig
import SievePipeline

struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Check a config file: exit 0, or print FILE:LINE: message per problem and exit 1.",
        discussion: """
            Besides the file itself, the paths it names are checked as the user running the command
            (run it as the daemon's user): the spool directory and file sink paths must be creatable
            and writable, the tail token file readable.

            Examples:
              auditsieve check-config /etc/auditsieve/auditsieve.yml
              sudo -u auditsieve auditsieve check-config /etc/auditsieve/auditsieve.yml
            """
    )

    @Argument(help: "The YAML config file.")
    var file: String

    func run() throws {
        do {
            let config = try AuditSieveConfig.load(file: file)
            let problems = config.pathProblems()
            guard problems.isEmpty else { throw ConfigErrors(problems) }
            print("\(file): OK")
        } catch let errors as ConfigErrors {
            for error in errors.errors { print(error.description) }
            throw ExitCode(1)
        }
    }
}
