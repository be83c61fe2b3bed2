package org.maskrcnn4j.examples.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.maskrcnn4j.io.SafetensorsWriter;
import org.maskrcnn4j.io.TorchCheckpoint;
import org.maskrcnn4j.tensor.HostTensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code maskrcnn convert}: a torchvision {@code .pth} state dict to safetensors, without Python. */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = "Convert a PyTorch/torchvision .pth state dict (zip or legacy format) to safetensors.")
final class ConvertCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "Input .pth file.")
    Path input;

    @Parameters(index = "1", description = "Output .safetensors file (written atomically).")
    Path output;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(input)) {
            throw new IllegalArgumentException("input file " + input + " does not exist");
        }
        Map<String, HostTensor> tensors = TorchCheckpoint.read(input);
        SafetensorsWriter.write(output, tensors, Map.of("format", "pt", "source", input.getFileName().toString()));
        System.out.printf("wrote %d tensors to %s%n", tensors.size(), output);
        return 0;
    }
}
