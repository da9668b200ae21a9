; Inno Setup script: wraps the PyInstaller folder (dist\counterpart) in a per-user or per-machine installer.
; Build on Windows after `make package` (or the PyInstaller command in the Makefile):
;   iscc /DAppVersion=0.1.0 packaging\windows\counterpart.iss
; `make package` passes the version from app/__init__.py. The installer never touches vaults: they live in the
; user's data folder (platformdirs), so uninstalling or upgrading keeps every shop's data.

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=x.y.z packaging\windows\counterpart.iss
#endif

[Setup]
; Keep this AppId forever: it is how Windows recognises an upgrade of the same app.
AppId={{6F0C2F43-6C55-4B0A-9D3E-3C1A8E7B52D1}
AppName=Counterpart
AppVersion={#AppVersion}
AppPublisher=Counterpart
DefaultDirName={autopf}\Counterpart
DefaultGroupName=Counterpart
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
SourceDir=..\..
OutputDir=dist
OutputBaseFilename=counterpart-{#AppVersion}-windows-setup
SetupIconFile=build\icons\counterpart.ico
UninstallDisplayIcon={app}\counterpart.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"
Name: "de"; MessagesFile: "compiler:Languages\German.isl"
Name: "fr"; MessagesFile: "compiler:Languages\French.isl"
Name: "es"; MessagesFile: "compiler:Languages\Spanish.isl"
; Inno Setup ships no official Simplified Chinese file; add the unofficial ChineseSimplified.isl here when the
; build machine has it.

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Files]
Source: "dist\counterpart\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\Counterpart"; Filename: "{app}\counterpart.exe"
Name: "{group}\{cm:UninstallProgram,Counterpart}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\Counterpart"; Filename: "{app}\counterpart.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\counterpart.exe"; Description: "{cm:LaunchProgram,Counterpart}"; Flags: nowait postinstall skipifsilent
