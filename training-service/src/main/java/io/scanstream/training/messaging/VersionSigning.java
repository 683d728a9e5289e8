package io.scanstream.training.messaging;

import io.quarkus.runtime.Startup;
import io.scanstream.core.contract.HeaderValues;
import io.scanstream.core.signing.ModelSignature;
import io.scanstream.core.signing.ModelSigner;
import io.scanstream.core.signing.ModelSigningKeys;
import io.scanstream.core.signing.TrustedModelKeys;
import io.scanstream.training.config.TrainingConfig;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;

/**
 * Training's side of signed model versions: the signer of {@code training.signing.private-key-file} (the start
 * fails without it unless {@code training.signing.enabled=false}), and the keys training believes when it reads
 * {@code models.published} for its champion: its own public key and {@code training.signing.trusted-keys} (the
 * previous keys after a rotation), so that a forged record is no more the champion here than it is served by
 * inference.
 */
@Singleton
@Startup // a missing or unreadable signing key stops the start, not the first publish hours later
public class VersionSigning {

    private static final Logger LOG = Logger.getLogger(VersionSigning.class);

    /** Null only with training.signing.enabled=false (development). */
    private final ModelSigner signer;
    private final TrustedModelKeys trusted;

    public VersionSigning(TrainingConfig config) {
        TrainingConfig.Signing signing = config.signing();
        if (!signing.enabled()) {
            LOG.warnf("model.signing enabled=false: versions are published unsigned; inference refuses them unless "
                    + "inference.signing.required=false (development only)");
            this.signer = null;
            this.trusted = TrustedModelKeys.none();
            return;
        }
        Path file = signing.privateKeyFile().orElseThrow(() -> new IllegalStateException(
                "training.signing.private-key-file is not set: training signs every model version it publishes "
                        + "(TRAINING_SIGNING_PRIVATE_KEY_FILE, an Ed25519 PKCS#8 PEM from a Secret; make one with "
                        + "`openssl genpkey -algorithm ed25519`, docs/security.md). training.signing.enabled=false "
                        + "publishes unsigned versions (development only)."));
        try {
            PublicKey own = ModelSigningKeys.derivePublicKey(ModelSigningKeys.readPrivateKey(file));
            this.signer = new ModelSigner(ModelSigningKeys.readPrivateKey(file), own);
            List<PublicKey> keys = new ArrayList<>(List.of(own));
            for (Path location : signing.trustedKeys().orElse(List.of())) {
                keys.addAll(TrustedModelKeys.load(List.of(location)).publicKeys());
            }
            this.trusted = new TrustedModelKeys(keys);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot sign model versions with training.signing.private-key-file="
                    + file + ": " + e.getMessage(), e);
        }
        LOG.infof("model.signing key-id=%s file=%s trusted-keys=%s", signer.keyId(), file, trusted.keyIds());
    }

    /** The signer, or null when signing is off. */
    public ModelSigner signer() {
        return signer;
    }

    /** Whether a models.published record is one training would publish: signed by a trusted key (or signing off). */
    public boolean believes(ConsumerRecord<String, byte[]> record) {
        if (signer == null) {
            return true;
        }
        return trusted.verify(HeaderValues.text(record.headers(), ModelSignature.KEY_ID_HEADER),
                HeaderValues.text(record.headers(), ModelSignature.SIGNATURE_HEADER),
                record.value()).verified();
    }
}
