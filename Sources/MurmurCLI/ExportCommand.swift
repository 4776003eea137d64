import Federation
import Foundation
import Learning

/// `murmur export RUN_OR_CHECKPOINT --format safetensors --out FILE [--lora merge|keep]`: writes a run's global
/// model as a PyTorch state dict in safetensors, under the names of docs/formats.md ("Model exports").
let exportCommand: Command = {
    var command = Command(
        name: "export",
        summary: """
            Export a run's global model (its checkpoint.bin) as safetensors with PyTorch state-dict names: the LSTM \
            LM as pfl-research's LMLSTM, the transformer as nanoGPT's GPT (docs/formats.md). LoRA adapters are \
            merged into the base weights, or kept as <name>.lora_A / .lora_B tensors.
            """)
    command.signature.positionals = [("RUN_OR_CHECKPOINT", "a run folder or its checkpoint.bin", true)]
    command.signature.options = [
        .init(name: "format", valueName: "FORMAT", help: "the file format (safetensors)", defaultValue: "safetensors"),
        .init(name: "out", valueName: "FILE", help: "the file to write (required)", defaultValue: nil),
        .init(name: "lora", valueName: "merge|keep", help: "LoRA adapters: fold into the weights, or write them apart",
              defaultValue: "merge"),
    ]
    command.action = { arguments, console in
        let name = "export"
        guard arguments.value("format") == "safetensors" else {
            throw CommandLineError.invalidValue(command: name, option: "--format", value: arguments.value("format")!,
                                                allowed: "safetensors")
        }
        guard let out = arguments.value("out") else {
            throw CommandLineError.missingOption(command: name, option: "--out", valueName: "FILE",
                                                 help: "the safetensors file to write", example: "model.safetensors")
        }
        let loraHandling = arguments.value("lora")!
        guard ["merge", "keep"].contains(loraHandling) else {
            throw CommandLineError.invalidValue(command: name, option: "--lora", value: loraHandling, allowed: "merge, keep")
        }
        let model = try ExportedModel.read(arguments.positionals[0])
        let file = model.stateDict(mergingAdapters: loraHandling == "merge")
        try file.write(to: out)
        console.write("{\"out\":\"\(out)\",\"family\":\"\(model.family.rawValue)\",\"round\":\(model.completedRounds),"
            + "\"tensors\":\(file.tensors.count),\"parameters\":\(file.tensors.reduce(0) { $0 + $1.values.count })}")
        return 0
    }
    return command
}()
