package io.scanstream.training.messaging;

import io.scanstream.core.signing.ModelSigner;
import io.scanstream.core.signing.ModelSigningKeys;
import io.scanstream.training.config.TrainingConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Training's signing key: required at start-up, and the records it believes when it reads its champion. */
class VersionSigningTest {

    @TempDir
    Path dir;

    @Test
    void withoutAPrivateKeyTheStartFailsNamingTheSetting() {
        assertThatThrownBy(() -> new VersionSigning(config(true, null, List.of())))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("training.signing.private-key-file is not set")
                .hasMessageContaining("openssl genpkey -algorithm ed25519");
        Path notAKey = dir.resolve("garbage.pem");
        assertThatThrownBy(() -> new VersionSigning(config(true, Files.writeString(notAKey, "nope"), List.of())))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining(notAKey.toString());
    }

    @Test
    void signingOffPublishesUnsignedAndBelievesEverything() {
        VersionSigning off = new VersionSigning(config(false, null, List.of()));
        assertThat(off.signer()).isNull();
        assertThat(off.believes(record(null, null))).isTrue();
    }

    @Test
    void believesItsOwnAndThePreviousKeysVersionsOnly() throws Exception {
        ModelSigningKeys.KeyFiles current = ModelSigningKeys.openOrCreate(dir.resolve("current"));
        ModelSigningKeys.KeyFiles previous = ModelSigningKeys.openOrCreate(dir.resolve("previous"));
        VersionSigning signing = new VersionSigning(config(true, current.privateKeyFile(),
                List.of(previous.publicKeyFile())));
        ModelSigner old = ModelSigner.fromPrivateKeyFile(previous.privateKeyFile());
        KeyPair foreign = ModelSigningKeys.generate();

        assertThat(signing.believes(signed(signing.signer()))).isTrue();
        assertThat(signing.believes(signed(old))).as("rollback to a version of the previous key").isTrue();
        assertThat(signing.believes(signed(new ModelSigner(foreign.getPrivate(), foreign.getPublic())))).isFalse();
        assertThat(signing.believes(record(null, null))).as("unsigned").isFalse();
    }

    private static ConsumerRecord<String, byte[]> signed(ModelSigner signer) {
        var signature = signer.sign(VALUE);
        return record(signature.keyId(), signature.signatureBase64());
    }

    private static final byte[] VALUE = "version bytes".getBytes(StandardCharsets.UTF_8);

    private static ConsumerRecord<String, byte[]> record(String keyId, String signature) {
        RecordHeaders headers = new RecordHeaders();
        if (keyId != null) {
            headers.add("ce_signaturekeyid", keyId.getBytes(StandardCharsets.UTF_8));
            headers.add("ce_signature", signature.getBytes(StandardCharsets.UTF_8));
        }
        return new ConsumerRecord<>("models.published", 0, 0, 0L, org.apache.kafka.common.record.TimestampType.CREATE_TIME,
                0, VALUE.length, "covid-head", VALUE, headers, Optional.empty());
    }

    /** Only {@code signing()} is read by VersionSigning. */
    private static TrainingConfig config(boolean enabled, Path privateKey, List<Path> trusted) {
        TrainingConfig.Signing signing = new TrainingConfig.Signing() {
            @Override
            public boolean enabled() {
                return enabled;
            }

            @Override
            public Optional<Path> privateKeyFile() {
                return Optional.ofNullable(privateKey);
            }

            @Override
            public Optional<List<Path>> trustedKeys() {
                return Optional.of(trusted);
            }
        };
        return (TrainingConfig) Proxy.newProxyInstance(TrainingConfig.class.getClassLoader(),
                new Class<?>[] {TrainingConfig.class}, (proxy, method, args) -> {
                    if (method.getName().equals("signing")) {
                        return signing;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }
}
