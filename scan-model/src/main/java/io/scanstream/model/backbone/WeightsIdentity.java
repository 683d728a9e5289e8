package io.scanstream.model.backbone;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import io.scanstream.core.integrity.Sha256;
import io.scanstream.model.BlockParameters;
import io.scanstream.model.DjlEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The hash part of the backbone id: it names the weights, not the file. The weights are put into the Java-built
 * block of the architecture ({@link Backbones#build}, initialised for one 224x224 image) — a TorchScript export
 * through {@link TorchScriptImport}, DJL parameters directly, an ONNX graph through {@link OnnxImport}, each checked
 * — and the first 12 hex digits of the sha256 of {@link BlockParameters#toBytes} of that block are the hash. So a
 * {@code .pt}, a {@code .params} and an {@code .onnx} of the same weights share one id and heads serve across
 * engines; a bare {@code .params} file that a backbone block saved is its own canonical form (its id is the file's
 * hash, as before).
 *
 * <p>A file whose weights do not map onto the architecture's block (a TorchScript module of another structure, or
 * one with batch-norm statistics that TorchScript does not expose; an ONNX graph with other layers) is still named,
 * by its own bytes' hash (the rule before weights ids), and that is logged with the reason: such a file serves as
 * before, only its heads do not carry over to other formats.
 *
 * <p>Results are cached per architecture and file content, so repeated calls cost one read of the file.
 */
final class WeightsIdentity {

    static final int HASH_CHARS = 12;
    private static final Logger LOG = LoggerFactory.getLogger(WeightsIdentity.class);
    private static final String ENGINE = "PyTorch";
    private static final Map<String, String> BY_CONTENT = new ConcurrentHashMap<>();

    private WeightsIdentity() {
    }

    /** The hash of the weights a block of {@link Backbones#build} holds. */
    static String of(Block block) {
        return Sha256.hex(BlockParameters.toBytes(block)).substring(0, HASH_CHARS);
    }

    /** The hash of the weights in a file of any {@link WeightsFormat}. */
    static String of(BackboneArchitecture architecture, Path file) throws IOException {
        String key = key(architecture, Sha256.hex(file));
        String cached = BY_CONTENT.get(key);
        if (cached != null) {
            return cached;
        }
        DjlEnvironment.configure();
        String hash;
        try (NDManager manager = NDManager.newBaseManager(ENGINE)) {
            Block block = Backbones.build(architecture);
            block.initialize(manager, DataType.FLOAT32, BackboneBlock.CANONICAL_INPUT);
            BackboneWeights.copyInto(block, architecture, file, manager);
            hash = of(block);
        } catch (IOException | RuntimeException e) {
            hash = fileHash(architecture, file.toString(), key, e);
        }
        BY_CONTENT.put(key, hash);
        return hash;
    }

    /** The hash of the weights in the bytes of a DJL parameters file (as {@code Block.saveParameters} writes them). */
    static String of(BackboneArchitecture architecture, byte[] parameters) {
        String key = key(architecture, Sha256.hex(parameters));
        String cached = BY_CONTENT.get(key);
        if (cached != null) {
            return cached;
        }
        DjlEnvironment.configure();
        String hash;
        try (NDManager manager = NDManager.newBaseManager(ENGINE);
             DataInputStream in = new DataInputStream(new ByteArrayInputStream(parameters))) {
            Block block = Backbones.build(architecture);
            block.loadParameters(manager, in);
            hash = of(block);
        } catch (IOException | RuntimeException | ai.djl.MalformedModelException e) {
            hash = fileHash(architecture, parameters.length + " bytes of parameters", key, e);
        }
        BY_CONTENT.put(key, hash);
        return hash;
    }

    /** Records the hash of a file whose weights a loader has put into a block anyway (no second import). */
    static void remember(BackboneArchitecture architecture, String fileSha256, String hash) {
        BY_CONTENT.put(key(architecture, fileSha256), hash);
    }

    private static String fileHash(BackboneArchitecture architecture, String what, String key, Exception reason) {
        LOG.warn("backbone.id rule=file architecture={} weights={}: the weights do not map onto the {} block, so"
                + " the id names the file, not the weights (heads trained on it serve only on this file): {}",
                architecture.id(), what, architecture.id(), reason.getMessage());
        return key.substring(key.indexOf(':') + 1, key.indexOf(':') + 1 + HASH_CHARS);
    }

    private static String key(BackboneArchitecture architecture, String contentSha256) {
        return architecture.id() + ":" + contentSha256;
    }
}
