"""The ComfyUI node classes `media.generate` may send (plain data: the API reads it at submit,
RunStep again at run time).

The default is ComfyUI's own built-in nodes that touch no network and no path of the user's
choosing: loaders take a model name from ComfyUI's model folders (ComfyUI checks the name
against the folder's list), savers write into its output folder under its own counter.
Left out on purpose: anything taking a URL or a path (custom nodes such as URL or path image
loaders), `LoadImageOutput` and `LoadLatent` (they read files by name from shared folders),
and nodes that write models (`CheckpointSave` and the like).

The two nodes that load an input file by name (`FILE_INPUTS`) may only name files the run
itself uploaded (modules/comfyui_graph.py checks it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from relay.domain.exceptions import InvalidNodeAllowListError

DEFAULT_NODE_CLASSES: frozenset[str] = frozenset(
    {
        # models from ComfyUI's own folders
        "CheckpointLoaderSimple",
        "VAELoader",
        "LoraLoader",
        "LoraLoaderModelOnly",
        "CLIPLoader",
        "DualCLIPLoader",
        "UNETLoader",
        "ControlNetLoader",
        "DiffControlNetLoader",
        "UpscaleModelLoader",
        "CLIPVisionLoader",
        "StyleModelLoader",
        "unCLIPCheckpointLoader",
        "GLIGENLoader",
        "HypernetworkLoader",
        # conditioning
        "CLIPTextEncode",
        "CLIPSetLastLayer",
        "ConditioningCombine",
        "ConditioningAverage",
        "ConditioningConcat",
        "ConditioningSetArea",
        "ConditioningSetAreaPercentage",
        "ConditioningSetMask",
        "ConditioningZeroOut",
        "ConditioningSetTimestepRange",
        "ControlNetApply",
        "ControlNetApplyAdvanced",
        "CLIPVisionEncode",
        "StyleModelApply",
        "unCLIPConditioning",
        "GLIGENTextBoxApply",
        # sampling and latents
        "KSampler",
        "KSamplerAdvanced",
        "EmptyLatentImage",
        "LatentUpscale",
        "LatentUpscaleBy",
        "LatentComposite",
        "LatentBlend",
        "LatentCrop",
        "LatentFlip",
        "LatentRotate",
        "RepeatLatentBatch",
        "LatentFromBatch",
        "SetLatentNoiseMask",
        "VAEDecode",
        "VAEEncode",
        "VAEEncodeForInpaint",
        "VAEDecodeTiled",
        "VAEEncodeTiled",
        # images and masks (LoadImage / LoadImageMask: only files this run uploaded)
        "LoadImage",
        "LoadImageMask",
        "SaveImage",
        "PreviewImage",
        "ImageScale",
        "ImageScaleBy",
        "ImageUpscaleWithModel",
        "ImageInvert",
        "ImageBatch",
        "ImagePadForOutpaint",
        "EmptyImage",
        "ImageCrop",
        "ImageBlend",
        "ImageBlur",
        "ImageSharpen",
        "ImageToMask",
        "MaskToImage",
        "SolidMask",
        "InvertMask",
        "CropMask",
        "MaskComposite",
        "FeatherMask",
        "GrowMask",
    }
)

# Node class → its inputs that name a file in ComfyUI's input folder.
FILE_INPUTS: dict[str, tuple[str, ...]] = {"LoadImage": ("image",), "LoadImageMask": ("image",)}

_CLASS_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_ .+\-|()]{0,127}$")


def parse_node_allow_list(text: str | None) -> frozenset[str]:
    """`ComfyUINodeAllowList`: comma-separated class names; empty is the default; `DEFAULT`
    among them stands for the default list (`DEFAULT,MyUpscaler` adds one node to it)."""
    entries = [entry.strip() for entry in (text or "").split(",") if entry.strip()]
    if not entries:
        return DEFAULT_NODE_CLASSES
    allowed: set[str] = set()
    for entry in entries:
        if entry == "DEFAULT":
            allowed |= DEFAULT_NODE_CLASSES
        elif _CLASS_NAME.fullmatch(entry):
            allowed.add(entry)
        else:
            raise InvalidNodeAllowListError(f"ComfyUINodeAllowList: {entry[:64]!r} is not a node class name")
    return frozenset(allowed)


@dataclass(frozen=True)
class ModulePolicy:
    """What this deployment lets step modules do beyond their input models (from settings):
    checked at submit (workflow validation) and again at run time."""

    comfyui_node_classes: frozenset[str] = DEFAULT_NODE_CLASSES
