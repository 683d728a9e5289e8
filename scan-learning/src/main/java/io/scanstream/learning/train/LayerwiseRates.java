package io.scanstream.learning.train;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.tracker.ParameterTracker;
import ai.djl.training.tracker.Tracker;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Discriminative learning rates (Howard and Ruder, 2018; as layer-wise rate decay in BEiT): the head learns at the
 * schedule's rate, the backbone's last block at {@code decay} times it, the one before at {@code decay²}, and so on
 * down to the first block, so that the generic early features move least. The backbone's blocks are its direct
 * children, in order; those without parameters (pooling) take no step of the decay. DJL's Adam asks its tracker
 * for each parameter's rate by the parameter's id, which is fixed when the block is built.
 */
final class LayerwiseRates implements ParameterTracker {

    private final Tracker schedule;
    private final Map<String, Float> multipliers;

    private LayerwiseRates(Tracker schedule, Map<String, Float> multipliers) {
        this.schedule = schedule;
        this.multipliers = multipliers;
    }

    /**
     * @param decay in (0, 1]; 1 = every parameter at the schedule's rate (then the schedule itself is returned)
     */
    static ParameterTracker of(Tracker schedule, Block backbone, double decay) {
        requireValidDecay(decay);
        if (decay == 1) {
            return schedule;
        }
        Map<String, Float> multipliers = new HashMap<>();
        List<Block> blocks = backbone.getChildren().values();
        double multiplier = 1;
        for (int i = blocks.size() - 1; i >= 0; i--) {
            List<Parameter> parameters = blocks.get(i).getParameters().values();
            if (parameters.isEmpty()) {
                continue;
            }
            multiplier *= decay;
            for (Parameter parameter : parameters) {
                multipliers.put(parameter.getId(), (float) multiplier);
            }
        }
        return new LayerwiseRates(schedule, Map.copyOf(multipliers));
    }

    /** The one rule for a decay, checked where settings are made and where the rates are built. */
    static void requireValidDecay(double decay) {
        if (!(decay > 0 && decay <= 1)) {
            throw new IllegalArgumentException("the layer-wise rate decay must be in (0, 1], got " + decay);
        }
    }

    @Override
    public float getNewValue(String parameterId, int numUpdate) {
        // the head's parameters, and any outside the backbone, learn at the schedule's rate
        return schedule.getNewValue(numUpdate) * multipliers.getOrDefault(parameterId, 1f);
    }
}
