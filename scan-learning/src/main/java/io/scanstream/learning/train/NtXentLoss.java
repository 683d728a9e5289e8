package io.scanstream.learning.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * SimCLR's normalised temperature-scaled cross-entropy (Chen et al., 2020): each of the 2N projections must pick
 * out the other view of its own image among the 2N − 1 others by cosine similarity. It is log(2N − 1) when the
 * projections carry no information, and falls towards 0 as the two views of each image agree and differ from the
 * rest.
 */
final class NtXentLoss {

    /** Keeps a projection from choosing itself; far below any similarity / temperature. */
    private static final float SELF = 1e4f;

    private NtXentLoss() {
    }

    /**
     * @param projections 2N × d: rows {@code i} and {@code i + N} are the two views of image {@code i}
     * @param temperature the softmax temperature (SimCLR: 0.1–0.5; lower is sharper)
     * @return the mean loss over the 2N rows (a scalar that carries gradients)
     */
    static NDArray of(NDArray projections, float temperature) {
        long rows = projections.getShape().get(0);
        if (rows % 2 != 0 || rows < 4) {
            throw new IllegalArgumentException("need 2N >= 4 rows, two views per image; got " + rows);
        }
        int pairs = (int) (rows / 2);
        NDManager manager = projections.getManager();
        NDArray unit = projections.div(projections.norm(new int[] {1}, true).add(1e-8f));
        NDArray logits = unit.matMul(unit.transpose()).div(temperature).sub(manager.eye((int) rows).mul(SELF));
        NDArray zeros = manager.zeros(new Shape(pairs, pairs));
        NDArray eye = manager.eye(pairs);
        NDArray positives = NDArrays.concat(new NDList(
                NDArrays.concat(new NDList(zeros, eye), 1),
                NDArrays.concat(new NDList(eye, zeros), 1)), 0);
        return logits.logSoftmax(1).mul(positives).sum().neg().div(rows);
    }
}
