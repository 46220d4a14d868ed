/*
 * The token key (state_dir/key) and AES-256-GCM sealing of secrets.
 *
 * A sealed blob is version(1) | nonce(12) | ciphertext | tag(16). The
 * version byte and the caller's AAD ("ewsgw:tokens:<id>:refresh") are
 * authenticated, so a blob moved to another row or column fails to open.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "auth/auth_int.h"

#define SEAL_VERSION		1
#define SEAL_NONCE_BYTES	12
#define SEAL_TAG_BYTES		16
#define SEAL_OVERHEAD		(1 + SEAL_NONCE_BYTES + SEAL_TAG_BYTES)

/* Writes all of BUF or fails with errno set. */
static int
seal_write_all(int fd, const unsigned char *buf, size_t len)
{
	ssize_t	 n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads exactly LEN bytes; -1 on error or short file. */
static int
seal_read_all(int fd, unsigned char *buf, size_t len)
{
	ssize_t	 n;

	while (len > 0) {
		n = read(fd, buf, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Makes the directory entry of PATH durable. Best effort. */
static void
seal_sync_dir(const char *path)
{
	char	 dir[PATH_MAX];
	char	*slash;
	int	 fd;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return;
	if ((slash = strrchr(dir, '/')) == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return;
	(void)fsync(fd);
	close(fd);
}

/*
 * Creates PATH with fresh random bytes. The key is written to a private
 * temporary file and linked into place, so a concurrent reader never sees
 * a half-written key. 0 created, 1 someone else created it first, -1.
 */
static int
seal_key_create(const char *path, char *err, size_t errlen)
{
	unsigned char	 key[SEAL_KEY_BYTES];
	char		 tmp[PATH_MAX];
	int		 fd = -1, ret = -1;

	if (snprintf(tmp, sizeof(tmp), "%s.new.%ld", path,
	    (long)getpid()) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "key file path too long: %s", path);
		return -1;
	}
	(void)unlink(tmp);	/* left over by a crash of this pid */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1) {
		snprintf(err, errlen, "cannot create key file %s: %s", tmp,
		    strerror(errno));
		goto done;
	}
	if (fchmod(fd, 0600) == -1) {
		snprintf(err, errlen, "cannot chmod key file %s: %s", tmp,
		    strerror(errno));
		goto fail;
	}
	if (RAND_bytes(key, sizeof(key)) != 1) {
		snprintf(err, errlen, "no random bytes for the key");
		goto fail;
	}
	if (seal_write_all(fd, key, sizeof(key)) == -1 || fsync(fd) == -1) {
		snprintf(err, errlen, "cannot write key file %s: %s", tmp,
		    strerror(errno));
		goto fail;
	}
	if (close(fd) == -1) {
		fd = -1;
		snprintf(err, errlen, "cannot write key file %s: %s", tmp,
		    strerror(errno));
		goto fail;
	}
	fd = -1;
	if (link(tmp, path) == -1) {
		if (errno == EEXIST) {
			ret = 1;
			goto fail;
		}
		snprintf(err, errlen, "cannot create key file %s: %s", path,
		    strerror(errno));
		goto fail;
	}
	(void)unlink(tmp);
	seal_sync_dir(path);
	ret = 0;
	goto done;
fail:
	if (fd != -1)
		close(fd);
	(void)unlink(tmp);
done:
	OPENSSL_cleanse(key, sizeof(key));
	return ret;
}

int
seal_key_load(const char *path, int strict, unsigned char *key, char *err,
    size_t errlen)
{
	struct stat	 st;
	int		 fd = -1, ret = -1, tries;

	for (tries = 0; tries < 2; tries++) {
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd != -1 || errno != ENOENT)
			break;
		if (seal_key_create(path, err, errlen) == -1)
			goto fail;
	}
	if (fd == -1) {
		snprintf(err, errlen, "cannot open key file %s: %s", path,
		    strerror(errno));
		goto fail;
	}
	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "cannot stat key file %s: %s", path,
		    strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "key file %s is not a regular file",
		    path);
		goto fail;
	}
	if (strict && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		snprintf(err, errlen, "key file %s is accessible by group or "
		    "others (mode %03o): chmod 600 %s",
		    path, (unsigned)(st.st_mode & 0777), path);
		goto fail;
	}
	/* Root may use a key owned by the service account. */
	if (strict && geteuid() != 0 && st.st_uid != geteuid() &&
	    st.st_uid != 0) {
		snprintf(err, errlen, "key file %s is owned by uid %lu, not by "
		    "this user or root", path, (unsigned long)st.st_uid);
		goto fail;
	}
	if (st.st_size != SEAL_KEY_BYTES) {
		snprintf(err, errlen, "key file %s has %lld bytes, expected %d",
		    path, (long long)st.st_size, SEAL_KEY_BYTES);
		goto fail;
	}
	if (seal_read_all(fd, key, SEAL_KEY_BYTES) == -1) {
		snprintf(err, errlen, "cannot read key file %s: %s", path,
		    strerror(errno));
		goto fail;
	}
	ret = 0;
	goto done;
fail:
	OPENSSL_cleanse(key, SEAL_KEY_BYTES);
done:
	if (fd != -1)
		close(fd);
	return ret;
}

/*
 * A new AES-256-GCM context for KEY and NONCE, encrypting with ENC, with
 * the AAD fed in: the version byte, then the caller's string. NULL on
 * failure.
 */
static EVP_CIPHER_CTX *
seal_ctx_new(const unsigned char *key, const unsigned char *nonce, int enc,
    unsigned char version, const char *aad)
{
	EVP_CIPHER_CTX	*ctx;
	int		 n;

	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return NULL;
	if (EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL,
	    enc) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, SEAL_NONCE_BYTES,
	    NULL) != 1 ||
	    EVP_CipherInit_ex(ctx, NULL, NULL, key, nonce, enc) != 1 ||
	    EVP_CipherUpdate(ctx, NULL, &n, &version, 1) != 1 ||
	    (aad != NULL && *aad != '\0' &&
	    EVP_CipherUpdate(ctx, NULL, &n, (const unsigned char *)aad,
	    (int)strlen(aad)) != 1)) {
		EVP_CIPHER_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

int
seal(const unsigned char *key, const char *aad, const void *plain,
    size_t plainlen, unsigned char **out, size_t *outlen)
{
	EVP_CIPHER_CTX	*ctx = NULL;
	unsigned char	*buf = NULL, *nonce, *ct;
	size_t		 len;
	int		 n, ret = -1;

	*out = NULL;
	*outlen = 0;
	if (plainlen > INT_MAX - SEAL_OVERHEAD)
		return -1;
	len = SEAL_OVERHEAD + plainlen;
	if ((buf = malloc(len)) == NULL)
		goto fail;
	buf[0] = SEAL_VERSION;
	nonce = buf + 1;
	ct = nonce + SEAL_NONCE_BYTES;
	if (RAND_bytes(nonce, SEAL_NONCE_BYTES) != 1)
		goto fail;
	if ((ctx = seal_ctx_new(key, nonce, 1, SEAL_VERSION, aad)) == NULL)
		goto fail;
	if (plainlen > 0 && EVP_EncryptUpdate(ctx, ct, &n, plain,
	    (int)plainlen) != 1)
		goto fail;
	if (EVP_EncryptFinal_ex(ctx, ct + plainlen, &n) != 1)
		goto fail;
	if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, SEAL_TAG_BYTES,
	    ct + plainlen) != 1)
		goto fail;
	*out = buf;
	*outlen = len;
	buf = NULL;
	ret = 0;
fail:
	EVP_CIPHER_CTX_free(ctx);
	free(buf);	/* holds ciphertext only */
	return ret;
}

int
unseal(const unsigned char *key, const char *aad, const unsigned char *blob,
    size_t bloblen, char **out, size_t *outlen)
{
	EVP_CIPHER_CTX		*ctx = NULL;
	const unsigned char	*nonce, *ct, *tag;
	unsigned char		*buf = NULL;
	size_t			 len = 0;
	int			 n, ret = -1;

	*out = NULL;
	if (outlen != NULL)
		*outlen = 0;
	if (blob == NULL || bloblen < SEAL_OVERHEAD || bloblen > INT_MAX ||
	    blob[0] != SEAL_VERSION)
		return -1;
	len = bloblen - SEAL_OVERHEAD;
	nonce = blob + 1;
	ct = nonce + SEAL_NONCE_BYTES;
	tag = ct + len;
	if ((buf = malloc(len + 1)) == NULL)
		goto fail;
	if ((ctx = seal_ctx_new(key, nonce, 0, blob[0], aad)) == NULL)
		goto fail;
	if (len > 0 && EVP_DecryptUpdate(ctx, buf, &n, ct, (int)len) != 1)
		goto fail;
	/* The tag is only read, but the ctrl takes a non-const pointer. */
	if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, SEAL_TAG_BYTES,
	    (void *)(uintptr_t)tag) != 1)
		goto fail;
	if (EVP_DecryptFinal_ex(ctx, buf + len, &n) != 1)
		goto fail;
	buf[len] = '\0';
	*out = (char *)buf;
	if (outlen != NULL)
		*outlen = len;
	buf = NULL;
	ret = 0;
fail:
	EVP_CIPHER_CTX_free(ctx);
	if (buf != NULL) {
		OPENSSL_cleanse(buf, len + 1);
		free(buf);
	}
	return ret;
}
