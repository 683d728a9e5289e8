package io.scanstream.learning.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.loss.Loss;
import ai.djl.training.loss.SigmoidBinaryCrossEntropyLoss;

/**
 * Binary cross-entropy on P(COVID) for a head with two output logits (NON_COVID, COVID), as inference reads it:
 * P(COVID) = softmax(l)[1] = sigmoid(l1 − l0). The logit difference goes to DJL's numerically stable
 * {@link SigmoidBinaryCrossEntropyLoss}; labels are 1 for COVID and 0 otherwise.
 */
public final class BinaryCrossEntropyLoss extends Loss {

    private final SigmoidBinaryCrossEntropyLoss bce = new SigmoidBinaryCrossEntropyLoss("BinaryCrossEntropy");

    public BinaryCrossEntropyLoss() {
        super("BinaryCrossEntropy");
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        return bce.evaluate(labels, new NDList(covidLogit(predictions.singletonOrThrow())));
    }

    /** l1 − l0: the logit of P(COVID). */
    static NDArray covidLogit(NDArray logits) {
        return logits.get(new NDIndex(":, 1")).sub(logits.get(new NDIndex(":, 0")));
    }
}
