package io.scanstream.core.dicom;

/** The DICOM tags ScanStream reads or writes, as {@code group << 16 | element}. */
public final class DicomTag {

    public static final int FILE_META_GROUP = 0x0002;
    public static final int TRANSFER_SYNTAX_UID = 0x00020010;
    public static final int SPECIFIC_CHARACTER_SET = 0x00080005;
    public static final int SOP_CLASS_UID = 0x00080016;
    public static final int SOP_INSTANCE_UID = 0x00080018;
    public static final int MODALITY = 0x00080060;
    public static final int PATIENT_ID = 0x00100020;
    public static final int PATIENT_IDENTITY_REMOVED = 0x00120062;
    public static final int STUDY_INSTANCE_UID = 0x0020000D;
    public static final int SERIES_INSTANCE_UID = 0x0020000E;
    public static final int SAMPLES_PER_PIXEL = 0x00280002;
    public static final int PHOTOMETRIC_INTERPRETATION = 0x00280004;
    public static final int NUMBER_OF_FRAMES = 0x00280008;
    public static final int ROWS = 0x00280010;
    public static final int COLUMNS = 0x00280011;
    public static final int BITS_ALLOCATED = 0x00280100;
    public static final int BITS_STORED = 0x00280101;
    public static final int HIGH_BIT = 0x00280102;
    public static final int PIXEL_REPRESENTATION = 0x00280103;
    public static final int WINDOW_CENTER = 0x00281050;
    public static final int WINDOW_WIDTH = 0x00281051;
    public static final int RESCALE_INTERCEPT = 0x00281052;
    public static final int RESCALE_SLOPE = 0x00281053;
    public static final int SHARED_FUNCTIONAL_GROUPS = 0x52009229;
    public static final int PER_FRAME_FUNCTIONAL_GROUPS = 0x52009230;
    public static final int PIXEL_DATA = 0x7FE00010;
    public static final int ITEM = 0xFFFEE000;
    public static final int ITEM_DELIMITATION = 0xFFFEE00D;
    public static final int SEQUENCE_DELIMITATION = 0xFFFEE0DD;

    public static final int MEDIA_STORAGE_SOP_CLASS_UID = 0x00020002;
    public static final int MEDIA_STORAGE_SOP_INSTANCE_UID = 0x00020003;
    public static final int IMPLEMENTATION_CLASS_UID = 0x00020012;
    public static final int IMPLEMENTATION_VERSION_NAME = 0x00020013;
    public static final int STUDY_DATE = 0x00080020;
    public static final int ACCESSION_NUMBER = 0x00080050;
    public static final int INSTITUTION_NAME = 0x00080080;
    public static final int INSTITUTION_ADDRESS = 0x00080081;
    public static final int PATIENT_NAME = 0x00100010;
    public static final int PATIENT_BIRTH_DATE = 0x00100030;
    public static final int PATIENT_SEX = 0x00100040;
    public static final int PATIENT_ADDRESS = 0x00101040;
    public static final int DEIDENTIFICATION_METHOD = 0x00120063;
    public static final int RESCALE_TYPE = 0x00281054;

    private DicomTag() {
    }
}
