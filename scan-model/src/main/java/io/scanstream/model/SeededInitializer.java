package io.scanstream.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;

import java.util.SplittableRandom;

/**
 * He (Kaiming) normal initialisation drawn from a Java generator with a fixed seed, so that a randomly initialised
 * network is the same on every machine and device and does not depend on the engine's global random state (which
 * other threads may be using). Values are consumed in parameter order: one instance per network initialisation.
 */
public final class SeededInitializer implements Initializer {

    private final SplittableRandom random;

    public SeededInitializer(long seed) {
        this.random = new SplittableRandom(seed);
    }

    @Override
    public synchronized NDArray initialize(NDManager manager, Shape shape, DataType dataType) {
        long fanIn = shape.dimension() > 1 ? shape.size() / shape.get(0) : shape.size();
        double std = Math.sqrt(2.0 / Math.max(1, fanIn));
        float[] values = new float[Math.toIntExact(shape.size())];
        // Box–Muller by pairs: SplittableRandom has no nextGaussian on Java 17.
        for (int i = 0; i < values.length; i += 2) {
            double radius = Math.sqrt(-2.0 * Math.log(1.0 - random.nextDouble())) * std;
            double angle = 2.0 * Math.PI * random.nextDouble();
            values[i] = (float) (radius * Math.cos(angle));
            if (i + 1 < values.length) {
                values[i + 1] = (float) (radius * Math.sin(angle));
            }
        }
        return manager.create(values, shape).toType(dataType, false);
    }
}
