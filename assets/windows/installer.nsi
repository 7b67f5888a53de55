; Spotter's Windows installer, built by `make package-windows` with NSIS:
;   makensis -DVERSION=… -DSRC=folder-of-the-zip -DOUT=setup.exe installer.nsi
; Per user, without administrator rights: the program goes to
; %LOCALAPPDATA%\Programs\Spotter, its menu entry, uninstaller and "Open
; with" entries to the person's own part of the registry. The catalogue and
; settings (%LOCALAPPDATA%\Spotter, Fyne's folder) are the person's and stay
; when Spotter is uninstalled, as the photos' sidecars do.
Unicode true
; 64-bit only: the program is, and the default 32-bit installer cannot run
; where only 64-bit Windows code runs (Wine's wine64).
Target amd64-unicode
SetCompressor /SOLID lzma
RequestExecutionLevel user

!define KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\Spotter"
!define PROGID "Spotter.Photo"

Name "Spotter"
OutFile "${OUT}"
InstallDir "$LOCALAPPDATA\Programs\Spotter"
Icon "${SRC}\..\spotter.ico"
UninstallIcon "${SRC}\..\spotter.ico"
VIProductVersion "${VERSION}.0"
VIAddVersionKey "ProductName" "Spotter"
VIAddVersionKey "FileDescription" "Spotter installer"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "LegalCopyright" "Spotter's authors; see licenses\"

Page directory
Page instfiles
UninstPage uninstConfirm
UninstPage instfiles

; The photo types Spotter reads, offered under "Open with".
!macro Types OP
  !insertmacro ${OP} .jpg
  !insertmacro ${OP} .jpeg
  !insertmacro ${OP} .png
  !insertmacro ${OP} .gif
  !insertmacro ${OP} .bmp
  !insertmacro ${OP} .tif
  !insertmacro ${OP} .tiff
  !insertmacro ${OP} .webp
  !insertmacro ${OP} .heic
  !insertmacro ${OP} .heif
  !insertmacro ${OP} .avif
  !insertmacro ${OP} .jxl
  !insertmacro ${OP} .dng
  !insertmacro ${OP} .cr2
  !insertmacro ${OP} .cr3
  !insertmacro ${OP} .nef
  !insertmacro ${OP} .arw
  !insertmacro ${OP} .raf
  !insertmacro ${OP} .orf
  !insertmacro ${OP} .rw2
!macroend
!macro AddType EXT
  WriteRegStr HKCU "Software\Classes\${EXT}\OpenWithProgids" "${PROGID}" ""
!macroend
!macro RemoveType EXT
  DeleteRegValue HKCU "Software\Classes\${EXT}\OpenWithProgids" "${PROGID}"
  DeleteRegKey /ifempty HKCU "Software\Classes\${EXT}\OpenWithProgids"
  DeleteRegKey /ifempty HKCU "Software\Classes\${EXT}"
!macroend

Section "Spotter"
  SetOutPath "$INSTDIR"
  File /r "${SRC}\*.*"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  CreateShortcut "$SMPROGRAMS\Spotter.lnk" "$INSTDIR\spotter.exe"

  WriteRegStr HKCU "${KEY}" "DisplayName" "Spotter"
  WriteRegStr HKCU "${KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${KEY}" "Publisher" "Spotter"
  WriteRegStr HKCU "${KEY}" "DisplayIcon" "$INSTDIR\spotter.exe"
  WriteRegStr HKCU "${KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${KEY}" "NoRepair" 1

  ; "Open with Spotter" for photos and for folders.
  WriteRegStr HKCU "Software\Classes\${PROGID}" "" "Photo"
  WriteRegStr HKCU "Software\Classes\${PROGID}\DefaultIcon" "" "$INSTDIR\spotter.exe,0"
  WriteRegStr HKCU "Software\Classes\${PROGID}\shell\open" "FriendlyAppName" "Spotter"
  WriteRegStr HKCU "Software\Classes\${PROGID}\shell\open\command" "" '"$INSTDIR\spotter.exe" "%1"'
  !insertmacro Types AddType
  WriteRegStr HKCU "Software\Classes\Directory\shell\Spotter" "" "Open with Spotter"
  WriteRegStr HKCU "Software\Classes\Directory\shell\Spotter" "Icon" "$INSTDIR\spotter.exe,0"
  WriteRegStr HKCU "Software\Classes\Directory\shell\Spotter\command" "" '"$INSTDIR\spotter.exe" "%1"'
  ; Explorer reads the new associations now, not at the next sign-in.
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'
SectionEnd

Section "Uninstall"
  Delete "$SMPROGRAMS\Spotter.lnk"
  !insertmacro Types RemoveType
  DeleteRegKey HKCU "Software\Classes\${PROGID}"
  DeleteRegKey HKCU "Software\Classes\Directory\shell\Spotter"
  DeleteRegKey HKCU "${KEY}"
  RMDir /r "$INSTDIR"
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'
SectionEnd
