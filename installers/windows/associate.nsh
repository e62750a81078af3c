# Recipe files: FactoryBench owns .fbrecipe and joins the "Open with" list of
# .yaml (which *.fbrecipe.yaml is, for Windows) without taking it over.
WriteRegStr SHCTX "Software\Classes\FactoryBench.Recipe" "" "FactoryBench recipe"
WriteRegStr SHCTX "Software\Classes\FactoryBench.Recipe\DefaultIcon" "" "$INSTDIR\bin\factorybench.exe,0"
WriteRegStr SHCTX "Software\Classes\FactoryBench.Recipe\shell\open\command" "" '"$INSTDIR\bin\factorybench.exe" "%1"'
WriteRegStr SHCTX "Software\Classes\.fbrecipe" "" "FactoryBench.Recipe"
WriteRegStr SHCTX "Software\Classes\.yaml\OpenWithProgids" "FactoryBench.Recipe" ""
WriteRegStr SHCTX "Software\Classes\.yml\OpenWithProgids" "FactoryBench.Recipe" ""
WriteRegStr SHCTX "Software\Classes\Applications\factorybench.exe\shell\open\command" "" '"$INSTDIR\bin\factorybench.exe" "%1"'
System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'
