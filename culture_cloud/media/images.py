"""Checking and re-encoding an uploaded image (Pillow). Pure and synchronous: the service runs
`process` in a worker thread.

What goes in is decided by the bytes, never by a file name or a client's content type: the
magic number must be JPEG, PNG or WebP, Pillow must open it with that one decoder, `verify`
it and decode it completely. What comes out is new pixels in a new file, so nothing of the
original survives but the picture: no EXIF (GPS position, camera, time), no XMP, no comments,
no colour profile (colours are converted to sRGB first), no trailing data (a zip appended to a
JPEG). EXIF orientation is applied before it is dropped.

Output: JPEG (quality 85, progressive) for opaque images, PNG for images that really use
transparency; a display size (long side ≤ 1600 px) and a thumbnail (≤ 400 px).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageFile, ImageOps

from culture_cloud.media import errors
from culture_cloud.settings import MEDIA_MAX_PIXELS_CEILING

DISPLAY_SIZE = 1600
THUMBNAIL_SIZE = 400
JPEG_QUALITY = 85

# Pillow warns above this many pixels and refuses at twice as many, before decoding; our own
# (lower, configurable) limit is checked first, so either is an image over the limit.
Image.MAX_IMAGE_PIXELS = MEDIA_MAX_PIXELS_CEILING
# Never decode a truncated file into a half-grey picture (the default, stated on purpose).
ImageFile.LOAD_TRUNCATED_IMAGES = False

_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png")}
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
# What decoding a broken file raises (UnidentifiedImageError is an OSError).
_DECODING_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError)


@dataclass(frozen=True, slots=True)
class Rendition:
    data: bytes
    width: int
    height: int
    content_type: str
    extension: str


@dataclass(frozen=True, slots=True)
class ProcessedImage:
    display: Rendition
    thumbnail: Rendition

    @property
    def sha256(self) -> str:
        """Of the display file: what is stored under the content-addressed key."""
        return hashlib.sha256(self.display.data).hexdigest()


def sniff(data: bytes) -> str | None:
    """The format the magic number claims: JPEG, PNG or WEBP; None for anything else (GIF,
    SVG, zip, PDF, HEIC, ...)."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def process(data: bytes, *, max_pixels: int) -> ProcessedImage:
    """Checks `data` and makes the stored renditions; raises `errors.Refused`."""
    if not data:
        raise errors.unsupported(errors.EMPTY_MESSAGE)
    claimed = sniff(data)
    if claimed is None:
        raise errors.unsupported()
    try:
        image = _to_srgb(_decode(data, claimed, max_pixels))
        display = _encode(image)
        image.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE), Image.Resampling.LANCZOS)
        return ProcessedImage(display=display, thumbnail=_encode(image))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise errors.image_too_large(max_pixels) from exc
    except _DECODING_ERRORS as exc:
        # An OSError must not leave here: the GraphQL layer would take it for an outage.
        raise errors.unsupported(errors.DAMAGED_MESSAGE) from exc


def _decode(data: bytes, claimed: str, max_pixels: int) -> Image.Image:
    """The upright picture, at most DISPLAY_SIZE on its long side; raises on anything that
    is not a complete image of the claimed format."""
    with Image.open(io.BytesIO(data), formats=[claimed]) as probe:
        width, height = probe.size
        if width * height > max_pixels:
            raise errors.image_too_large(max_pixels)
        probe.verify()  # structure and checksums (PNG chunks); verify leaves the file unusable
    image: Image.Image = Image.open(io.BytesIO(data), formats=[claimed])
    if image.mode not in ("RGB", "RGBA", "L", "CMYK"):
        # Palette, grey with alpha, 16-bit grey: to RGB(A) first, or resizing would fall back
        # to nearest-neighbour. Decodes the whole file (a truncated one raises here).
        image = image.convert("RGBA" if _has_alpha(image) else "RGB")
    # JPEGs much larger than needed are decoded at a reduced scale; the first frame of an
    # animation only. `load` decodes whatever `thumbnail` left (it skips small images): a
    # truncated file raises here, never later.
    image.thumbnail((DISPLAY_SIZE, DISPLAY_SIZE), Image.Resampling.LANCZOS)
    image.load()
    try:
        return ImageOps.exif_transpose(image)
    except Exception:  # a malformed EXIF block must not refuse a good picture: keep it as is
        return image


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info


def _to_srgb(image: Image.Image) -> Image.Image:
    """RGB or RGBA pixels in sRGB: the embedded colour profile is applied, then not kept."""
    target = "RGBA" if _has_alpha(image) else "RGB"
    icc = image.info.get("icc_profile")
    converted = None
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            converted = ImageCms.profileToProfile(image, source, _SRGB, outputMode=target)
        except (ImageCms.PyCMSError, OSError, ValueError):
            converted = None  # an unreadable or mismatched profile: the colours as decoded
    if converted is not None:
        image = converted
    elif image.mode != target:
        image = image.convert(target)
    if image.mode == "RGBA" and image.getchannel("A").getextrema()[0] == 255:
        image = image.convert("RGB")  # an alpha channel nobody uses: store a JPEG
    # Nothing of the original's metadata may reach the encoder (PNG copies `info` otherwise).
    image.info = {}
    return image


def _encode(image: Image.Image) -> Rendition:
    buffer = io.BytesIO()
    if image.mode == "RGBA":
        image.save(buffer, "PNG", optimize=True)
        kind = "PNG"
    else:
        image.save(
            buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True, subsampling=2
        )
        kind = "JPEG"
    content_type, extension = _FORMATS[kind]
    return Rendition(buffer.getvalue(), image.width, image.height, content_type, extension)
