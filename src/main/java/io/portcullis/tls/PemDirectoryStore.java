package io.portcullis.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Certificates as PEM files in a directory ({@code ca.crt}, {@code ca.key}, {@code tls.crt}, {@code tls.key}).
 *
 * <p>Each file is replaced atomically (written beside it, then renamed), so the server's file watcher never
 * reads half a file; keys are created owner-only (0600). The serving pair is written last, key before
 * certificate, so a reload triggered part-way sees at worst the old certificate with the new key for a moment
 * and the next event (the certificate's) settles it.
 */
public final class PemDirectoryStore implements CertificateStore {

    private static final Set<PosixFilePermission> KEY_PERMISSIONS = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> CERT_PERMISSIONS = PosixFilePermissions.fromString("rw-r--r--");

    private final Path directory;

    public PemDirectoryStore(Path directory) {
        this.directory = directory;
    }

    public Path directory() {
        return directory;
    }

    @Override
    public PemBundle load() {
        return new PemBundle(read(PemBundle.CA_CERT), read(PemBundle.CA_KEY), read(PemBundle.CERT),
                read(PemBundle.KEY));
    }

    @Override
    public void save(PemBundle bundle) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create certificate directory " + directory, e);
        }
        write(PemBundle.CA_CERT, bundle.caCertificate(), CERT_PERMISSIONS);
        write(PemBundle.CA_KEY, bundle.caKey(), KEY_PERMISSIONS);
        write(PemBundle.KEY, bundle.key(), KEY_PERMISSIONS);
        write(PemBundle.CERT, bundle.certificate(), CERT_PERMISSIONS);
    }

    @Override
    public String describe() {
        return directory.toAbsolutePath().normalize().toString();
    }

    private String read(String name) {
        try {
            return Files.readString(directory.resolve(name), StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + directory.resolve(name), e);
        }
    }

    private void write(String name, String content, Set<PosixFilePermission> permissions) {
        if (content.isEmpty() || content.equals(read(name))) {
            return;
        }
        Path target = directory.resolve(name);
        Path temp = directory.resolve("." + name + ".tmp");
        try {
            Files.deleteIfExists(temp);
            createFile(temp, permissions);
            Files.writeString(temp, content, StandardCharsets.US_ASCII);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }

    /** Creates the file with its final permissions from the start, so a key is never readable by others. */
    private static void createFile(Path file, Set<PosixFilePermission> permissions) throws IOException {
        try {
            FileAttribute<Set<PosixFilePermission>> attribute = PosixFilePermissions.asFileAttribute(permissions);
            Files.createFile(file, attribute);
            // The umask may have removed bits we asked for (never added any); set them exactly.
            Files.setPosixFilePermissions(file, permissions);
        } catch (UnsupportedOperationException e) {
            Files.createFile(file); // not a POSIX file system: the platform's defaults apply
        }
    }
}
