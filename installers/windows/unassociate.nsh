# Undoes associate.nsh.
DeleteRegValue SHCTX "Software\Classes\.yaml\OpenWithProgids" "FactoryBench.Recipe"
DeleteRegValue SHCTX "Software\Classes\.yml\OpenWithProgids" "FactoryBench.Recipe"
ReadRegStr $0 SHCTX "Software\Classes\.fbrecipe" ""
StrCmp $0 "FactoryBench.Recipe" 0 +2
DeleteRegKey SHCTX "Software\Classes\.fbrecipe"
DeleteRegKey SHCTX "Software\Classes\FactoryBench.Recipe"
DeleteRegKey SHCTX "Software\Classes\Applications\factorybench.exe"
System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'
