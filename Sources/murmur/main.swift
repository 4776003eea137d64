import MurmurCLI

// All behaviour lives in MurmurCLI so that it can be tested; this file only hands over the arguments.
MurmurCommandLine.main(Array(CommandLine.arguments.dropFirst()))
