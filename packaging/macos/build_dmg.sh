#!/bin/sh
# Sign, notarise and wrap dist/Counterpart.app (built by `make package` on macOS) in a .dmg.
#
#   DEVELOPER_ID="Developer ID Application: Your Shop Ltd (TEAMID)"  # the same identity for every release
#   NOTARY_PROFILE=counterpart   # `xcrun notarytool store-credentials counterpart ...` once on the build Mac
#   sh packaging/macos/build_dmg.sh 0.1.0
#
# Why the same identity and bundle id every time: the keychain item holding the vault's device secret is bound
# to the app's code signature. A changed identity (or an unsigned build) makes macOS ask the shop owner for
# keychain access after every update, or refuse it.
set -eu
VERSION="$1"
APP=dist/Counterpart.app
DMG="dist/counterpart-$VERSION-macos.dmg"
[ -d "$APP" ] || { echo "missing $APP: run make package first" >&2; exit 1; }

if [ -n "${DEVELOPER_ID:-}" ]; then
    codesign --force --deep --options runtime --timestamp \
        --entitlements packaging/macos/entitlements.plist --sign "$DEVELOPER_ID" "$APP"
    codesign --verify --strict --verbose=2 "$APP"
else
    echo "DEVELOPER_ID not set: building an unsigned .dmg (for testing only; see packaging/README.md)" >&2
fi

rm -f "$DMG"
STAGE=$(mktemp -d)
cp -R "$APP" "$STAGE/"
ln -s /Applications "$STAGE/Applications"
hdiutil create -volname "Counterpart $VERSION" -srcfolder "$STAGE" -fs HFS+ -format UDZO "$DMG"
rm -rf "$STAGE"

if [ -n "${DEVELOPER_ID:-}" ]; then
    codesign --sign "$DEVELOPER_ID" --timestamp "$DMG"
    if [ -n "${NOTARY_PROFILE:-}" ]; then
        xcrun notarytool submit "$DMG" --keychain-profile "$NOTARY_PROFILE" --wait
        xcrun stapler staple "$DMG"
    fi
fi
echo "$DMG"
