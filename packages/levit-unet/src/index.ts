export const PACKAGE_NAME = '@levit-unet/levit-unet';
