package io.scanstream.inference.messaging;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import io.scanstream.model.DjlEnvironment;
import io.scanstream.model.SeededInitializer;
import io.scanstream.model.backbone.BackboneArchitecture;
import io.scanstream.model.backbone.BackboneSpec;
import io.scanstream.model.backbone.Backbones;
import io.scanstream.model.backbone.OnnxExport;

import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Backbone weights a service test makes before the service starts: seeded MobileNetV2 parameters
 * ({@code .params}) and their ONNX export. Made once per JVM and always through the system class loader: a Quarkus
 * test profile runs in a class loader of its own, and libtorch can be loaded by one class loader only — the one
 * the test application reaches DJL through ({@code parent-first-artifacts}).
 */
public final class OnnxTestWeights {

    private static final String PARAMS = "scanstream.test.onnx-weights.params";
    private static final String ONNX = "scanstream.test.onnx-weights.onnx";
    private static final String ID = "scanstream.test.onnx-weights.id";

    private OnnxTestWeights() {
    }

    /** The {@code .onnx} file, made now if this JVM has not made it yet. */
    static Path onnx() {
        if (System.getProperty(ONNX) == null) {
            ClassLoader system = ClassLoader.getSystemClassLoader();
            Thread thread = Thread.currentThread();
            ClassLoader context = thread.getContextClassLoader();
            // DJL finds its engines with ServiceLoader through the context class loader: the same one, for once
            thread.setContextClassLoader(system);
            try {
                Class.forName(OnnxTestWeights.class.getName(), true, system).getMethod("make").invoke(null);
            } catch (ClassNotFoundException | NoSuchMethodException | IllegalAccessException e) {
                throw new IllegalStateException(e);
            } catch (InvocationTargetException e) {
                throw new IllegalStateException("cannot make the test weights", e.getCause());
            } finally {
                thread.setContextClassLoader(context);
            }
        }
        return Path.of(System.getProperty(ONNX));
    }

    static Path params() {
        onnx();
        return Path.of(System.getProperty(PARAMS));
    }

    /** The backbone id {@code OnnxExport.write} reported for the export. */
    static String exportedId() {
        onnx();
        return System.getProperty(ID);
    }

    /** Called through the system class loader only. */
    public static synchronized void make() throws IOException {
        if (System.getProperty(ONNX) != null) {
            return;
        }
        Path dir = Files.createTempDirectory("scanstream-onnx-it");
        Path params = dir.resolve("mobilenet_v2-test.params");
        Path onnx = dir.resolve("mobilenet_v2-test.onnx");
        DjlEnvironment.configure();
        try (NDManager manager = NDManager.newBaseManager("PyTorch");
             DataOutputStream out = new DataOutputStream(Files.newOutputStream(params))) {
            Block block = Backbones.build(BackboneArchitecture.MOBILENET_V2);
            block.setInitializer(new SeededInitializer(2026), Parameter.Type.WEIGHT);
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 224, 224));
            block.saveParameters(out);
        }
        String id = OnnxExport.write(BackboneSpec.of(BackboneArchitecture.MOBILENET_V2, params), onnx);
        for (Path path : new Path[] {dir, params, onnx}) {
            path.toFile().deleteOnExit();
        }
        System.setProperty(PARAMS, params.toString());
        System.setProperty(ID, id);
        System.setProperty(ONNX, onnx.toString());
    }
}
