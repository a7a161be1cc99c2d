export const PACKAGE_NAME = '@levit-unet/unet-decoder';
