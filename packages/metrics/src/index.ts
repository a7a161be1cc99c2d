export const PACKAGE_NAME = '@levit-unet/metrics';
