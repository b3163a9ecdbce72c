using 'main.bicep'

param name = 'connacc'
param location = 'westeurope'
param sendGridApiKey = readEnvironmentVariable('SENDGRID_API_KEY')
