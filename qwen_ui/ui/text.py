"""Every visible string of the page, in one place."""

TITLE = "Qwen Edit Studio"
SUBTITLE = "Edit images with **qwen-image-edit-plus**: drop 1–3 images, say what to change, press **Edit**."
SIMULATOR_BANNER = (
    "**Local simulator** — edits are made by a built-in stand-in of the API, not the real model. Set `EVOLINK_API_KEY` for real edits."
)
SLOT_NOTE = (
    "Refer to the images as *Image 1*, *Image 2*, *Image 3* in your prompt. "
    "Order matters: with **Auto** size the output follows the aspect of the **last** image."
)
PROMPT_LABEL = "What to change"
PROMPT_PLACEHOLDER = "e.g. Put the cat from Image 1 on the sofa from Image 2 — press Enter to edit"
NEGATIVE_LABEL = "Negative prompt (what to avoid)"
NEGATIVE_PLACEHOLDER = "low quality, blurry, extra fingers"
N_LABEL = "Number of images (n)"
SIZE_LABEL = "Output size"
SIZE_AUTO = "Auto (follow the last image, ≈1 MP)"
SIZE_CUSTOM = "Custom…"
SIZE_PRESETS = ("1024x1024", "1328x1328", "1024x1536", "1536x1024", "768x1344", "1344x768", "1664x928", "928x1664")
SIZE_SENT_LABEL = "Size sent to the API"
SIZE_ONLY_WITH_ONE = (
    "Size can only be chosen when n = 1 — the API refuses a size with several images. Outputs follow the last image at ≈1 MP."
)
SEED_LABEL = "Seed"
RANDOMIZE_LABEL = "Randomize seed"
PROMPT_EXTEND_LABEL = "Prompt rewriting (prompt_extend)"
PROMPT_EXTEND_INFO = (
    "The provider rewrites your prompt with an LLM: better for short prompts, but the same seed may give different results."
)
WATERMARK_LABEL = "Add “Qwen-Image” watermark"
ADVANCED_LABEL = "Advanced"
CALLBACK_LABEL = "Callback URL (HTTPS; the provider POSTs the finished task here)"
EDIT_BUTTON = "Edit"
CANCEL_BUTTON = "Cancel"
SWAP_12 = "Swap 1 ↔ 2"
SWAP_23 = "Swap 2 ↔ 3"
CLEAR_ALL = "Clear images"
STATUS_LABEL = "Status"
STATUS_IDLE = "Ready."
GALLERY_LABEL = "Results"
ZIP_LABEL = "Download all (ZIP)"
DETAILS_LABEL = "Settings used"
EXAMPLES_LABEL = "Examples"
CANCELLED = "Cancelled. The remote task may still finish and be charged; its result will not be shown."
KEY_LABEL = "Your own EvoLink API key (optional)"
KEY_INFO = "Used for this browser tab only: kept in server memory for this session, never saved, logged or cached."
KEY_USE = "Use my key"
KEY_FORGET = "Forget my key"
KEY_IN_USE = "Your key is in use for this tab (edits go to the real API and are charged to you)."
KEY_FORGOTTEN = "No personal key: edits use the app's own setup."
KEY_INVALID = "That does not look like an API key (no spaces, at most 256 characters); it was not kept."
