package io.scanstream.inference.domain;

import io.scanstream.core.signing.ModelSignature;
import io.scanstream.core.signing.ModelSigner;
import io.scanstream.core.signing.ModelSigningKeys;
import io.scanstream.core.signing.TrustedModelKeys;
import io.scanstream.inference.domain.ModelVersions.RefusalReason;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Which models.published records inference reads at all: signed over their bytes by a trusted key. */
class VersionSignaturesTest {

    private static final KeyPair KEY_A = ModelSigningKeys.generate();
    private static final KeyPair KEY_B = ModelSigningKeys.generate();
    private static final byte[] VALUE = "the artifact zip as published".getBytes(StandardCharsets.UTF_8);

    private static ModelSignature sign(KeyPair key, byte[] value) {
        return new ModelSigner(key.getPrivate(), key.getPublic()).sign(value);
    }

    private static VersionSignatures trusting(boolean required, KeyPair... keys) {
        return new VersionSignatures(new TrustedModelKeys(java.util.Arrays.stream(keys).map(KeyPair::getPublic)
                .toList()), required);
    }

    @Test
    void readsARecordSignedByATrustedKey() {
        ModelSignature signature = sign(KEY_A, VALUE);
        assertThat(signature.keyId()).isEqualTo(ModelSigningKeys.keyId(KEY_A.getPublic())).hasSize(16);
        assertThat(trusting(true, KEY_A).check("v1", signature.keyId(), signature.signatureBase64(), VALUE)).isEmpty();
    }

    @Test
    void refusesAnUnsignedRecordWhenSignaturesAreRequired() {
        assertThat(trusting(true, KEY_A).check("v1", null, null, VALUE)).get()
                .extracting(ModelVersions.Refused::reason).isEqualTo(RefusalReason.UNSIGNED);
        assertThat(trusting(false, KEY_A).check("v1", null, null, VALUE)).as("development: required=false").isEmpty();
    }

    @Test
    void refusesASignatureThatDoesNotVerifyOverTheRecordsBytes() {
        ModelSignature signature = sign(KEY_A, VALUE);
        byte[] tampered = VALUE.clone();
        tampered[3] ^= 1;
        byte[] flipped = signature.signature();
        flipped[10] ^= 1;
        VersionSignatures signatures = trusting(false, KEY_A); // even where unsigned records would pass

        assertThat(signatures.check("v1", signature.keyId(), signature.signatureBase64(), tampered)).get()
                .extracting(ModelVersions.Refused::reason).isEqualTo(RefusalReason.BAD_SIGNATURE);
        assertThat(signatures.check("v1", signature.keyId(), Base64.getEncoder().encodeToString(flipped), VALUE)).get()
                .extracting(ModelVersions.Refused::reason).isEqualTo(RefusalReason.BAD_SIGNATURE);
        assertThat(signatures.check("v1", signature.keyId(), "not base64!", VALUE)).get()
                .extracting(ModelVersions.Refused::reason).isEqualTo(RefusalReason.BAD_SIGNATURE);
        assertThat(signatures.check("v1", signature.keyId(), null, VALUE)).get()
                .extracting(ModelVersions.Refused::reason).isEqualTo(RefusalReason.BAD_SIGNATURE);
        // key A's id on key B's signature
        assertThat(signatures.check("v1", signature.keyId(), sign(KEY_B, VALUE).signatureBase64(), VALUE)).get()
                .extracting(ModelVersions.Refused::reason).isEqualTo(RefusalReason.BAD_SIGNATURE);
    }

    @Test
    void refusesASignatureByAKeyThatIsNotTrusted() {
        ModelSignature byB = sign(KEY_B, VALUE);
        assertThat(trusting(true, KEY_A).check("v1", byB.keyId(), byB.signatureBase64(), VALUE)).get()
                .satisfies(r -> {
                    assertThat(r.reason()).isEqualTo(RefusalReason.UNKNOWN_KEY);
                    assertThat(r.detail()).contains(byB.keyId());
                });
        assertThat(trusting(false).check("v1", byB.keyId(), byB.signatureBase64(), VALUE)).get()
                .extracting(ModelVersions.Refused::reason).isEqualTo(RefusalReason.UNKNOWN_KEY);
    }

    @Test
    void aVersionSignedBeforeAKeyRotationStillVerifiesWhileTheOldKeyIsTrusted() {
        // version 1 signed with key A; the key rotated to B; versions 2.. are signed with B; a rollback re-publishes 1
        ModelSignature old = sign(KEY_A, VALUE);
        byte[] newer = "version 2".getBytes(StandardCharsets.UTF_8);
        ModelSignature current = sign(KEY_B, newer);
        VersionSignatures afterRotation = trusting(true, KEY_B, KEY_A);

        assertThat(afterRotation.check("v2", current.keyId(), current.signatureBase64(), newer)).isEmpty();
        assertThat(afterRotation.check("v1", old.keyId(), old.signatureBase64(), VALUE)).as("rollback to v1").isEmpty();
        assertThat(trusting(true, KEY_B).check("v1", old.keyId(), old.signatureBase64(), VALUE))
                .as("once key A is retired, its versions are refused").get()
                .extracting(ModelVersions.Refused::reason).isEqualTo(RefusalReason.UNKNOWN_KEY);
    }

    @Test
    void trustedKeysComeFromPemFilesOrADirectoryOfThem(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path keys = java.nio.file.Files.createDirectories(dir.resolve("trusted"));
        java.nio.file.Files.writeString(keys.resolve("a.pem"), ModelSigningKeys.publicPem(KEY_A.getPublic()));
        java.nio.file.Files.writeString(keys.resolve("b.pem"), ModelSigningKeys.publicPem(KEY_B.getPublic()));
        java.nio.file.Files.writeString(keys.resolve("README"), "not a key");
        java.nio.file.Path single = dir.resolve("b-only.pem");
        java.nio.file.Files.writeString(single, ModelSigningKeys.publicPem(KEY_B.getPublic()));

        assertThat(TrustedModelKeys.load(List.of(keys)).keyIds()).containsExactlyInAnyOrder(
                ModelSigningKeys.keyId(KEY_A.getPublic()), ModelSigningKeys.keyId(KEY_B.getPublic()));
        assertThat(TrustedModelKeys.load(List.of(single)).keyIds()).containsExactly(
                ModelSigningKeys.keyId(KEY_B.getPublic()));
    }
}
