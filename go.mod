module github.com/tributary-dev/tributary

go 1.26.8
