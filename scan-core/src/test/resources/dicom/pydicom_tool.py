"""Writes CT Image Storage files with pydicom and reports the Hounsfield units pydicom reads from files.

Used by RealToolkitDicomTest (Debian: python3-pydicom, python3-numpy):
  pydicom_tool.py make-ct OUT_DIR     writes the CT files listed below
  pydicom_tool.py hu FILE OUT         writes rows, columns (int32 LE) then pydicom's modality values (float64 LE)
"""
import sys

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.pixel_data_handlers.util import apply_modality_lut
from pydicom.uid import (CTImageStorage, DeflatedExplicitVRLittleEndian, ExplicitVRLittleEndian,
                         ImplicitVRLittleEndian)

ROWS, COLUMNS = 96, 128


def phantom_hu():
    """A body (40 HU) with two lungs (-850 HU), air outside (-1000), padding -2000 in the corners, noise."""
    y, x = np.mgrid[0:ROWS, 0:COLUMNS]
    hu = np.full((ROWS, COLUMNS), -1000.0)
    body = ((x - 64) / 58.0) ** 2 + ((y - 48) / 42.0) ** 2 <= 1
    hu[body] = 40
    for cx in (42, 86):
        lung = ((x - cx) / 16.0) ** 2 + ((y - 48) / 26.0) ** 2 <= 1
        hu[lung] = -850
    hu[(x < 6) & (y < 6)] = -2000
    hu[(x > 120) & (y > 90)] = 1800  # metal-like
    hu += np.random.RandomState(20261125).normal(0, 25, hu.shape)
    return hu


def write(path, bits_stored, signed, slope, intercept, transfer_syntax):
    hu = phantom_hu()
    stored = np.round((hu - intercept) / slope).astype(np.int64)
    low, high = (-(1 << (bits_stored - 1)), (1 << (bits_stored - 1)) - 1) if signed else (0, (1 << bits_stored) - 1)
    stored = np.clip(stored, low, high)
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = CTImageStorage
    meta.MediaStorageSOPInstanceUID = pydicom.uid.generate_uid(entropy_srcs=[path])
    meta.TransferSyntaxUID = transfer_syntax
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = CTImageStorage
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = pydicom.uid.generate_uid(entropy_srcs=["study"])
    ds.SeriesInstanceUID = pydicom.uid.generate_uid(entropy_srcs=["series"])
    ds.Modality = "CT"
    ds.PatientName = "Toolkit^Pydicom"
    ds.PatientID = "PYDICOM-1"
    ds.PatientBirthDate = "19500101"
    ds.InstitutionName = "pydicom General"
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows, ds.Columns = ROWS, COLUMNS
    ds.BitsAllocated = 16
    ds.BitsStored = bits_stored
    ds.HighBit = bits_stored - 1
    ds.PixelRepresentation = 1 if signed else 0
    ds.RescaleSlope = slope
    ds.RescaleIntercept = intercept
    ds.RescaleType = "HU"
    ds.WindowCenter = -600
    ds.WindowWidth = 1500
    dtype = np.int16 if signed else np.uint16
    ds.PixelData = stored.astype(dtype).tobytes()
    ds.is_little_endian = True
    ds.is_implicit_VR = transfer_syntax == ImplicitVRLittleEndian
    ds.save_as(path, write_like_original=False)


def make_ct(out):
    write(out + "/ct12_signed_explicit.dcm", 12, True, 1, -1024, ExplicitVRLittleEndian)
    write(out + "/ct16_signed_explicit.dcm", 16, True, 1, 0, ExplicitVRLittleEndian)
    write(out + "/ct12_unsigned_slope_explicit.dcm", 12, False, 0.5, -1000, ExplicitVRLittleEndian)
    write(out + "/ct16_signed_implicit.dcm", 16, True, 1, -1024, ImplicitVRLittleEndian)
    write(out + "/ct12_signed_deflated.dcm", 12, True, 1, -1024, DeflatedExplicitVRLittleEndian)


def hu(path, out):
    ds = pydicom.dcmread(path)
    values = apply_modality_lut(ds.pixel_array, ds).astype(np.float64)
    with open(out, "wb") as f:
        f.write(np.array([ds.Rows, ds.Columns], dtype="<i4").tobytes())
        f.write(values.astype("<f8").tobytes())


if __name__ == "__main__":
    if sys.argv[1] == "make-ct":
        make_ct(sys.argv[2])
    elif sys.argv[1] == "hu":
        hu(sys.argv[2], sys.argv[3])
    else:
        raise SystemExit("unknown command " + sys.argv[1])
